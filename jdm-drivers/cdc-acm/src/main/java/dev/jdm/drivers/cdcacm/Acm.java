package dev.jdm.drivers.cdcacm;

import dev.jdm.abi.chr.CallVersion;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.Raises;

/** An acm node's typed calls: its line coding and counters ({@code jdm dev describe acm0}). */
@CallVersion(1)
public interface Acm {
    /** CDC's line coding: bits per second, stop bits (0: 1, 1: 1.5, 2: 2), parity (0 none .. 4 space), data bits. */
    record LineCoding(int baud, int stopBits, int parity, int dataBits) {}

    /** The line and what went over it. */
    record Status(String device, LineCoding coding, long received, long transmitted, long errors, boolean carrier, boolean dsr,
            boolean present) {}

    /** Sets the line coding (SET_LINE_CODING). */
    @Raises({CharStatus.EINVAL, CharStatus.EIO})
    Status lineCoding(LineCoding coding);

    /** The line's settings and counters. */
    Status status();
}
