package dev.jdm.drivers.uart;

import dev.jdm.abi.chr.CallVersion;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.Raises;

/** A ttyS node's typed calls: its line settings and counters ({@code jdm dev describe serial0}). */
@CallVersion(1)
public interface Serial {
    /** A line speed in bits per second: 115200 divided by a whole divisor (1..65535). */
    record Speed(int baud) {}

    /** The line and what went over it. */
    record Status(int baud, String device, long received, long transmitted, long overruns, long framingErrors, long dropped,
            long interrupts, long spuriousInterrupts, boolean present) {}

    /** Sets the line speed; the UART's divisor latch is reprogrammed. */
    @Raises({CharStatus.EINVAL, CharStatus.ENXIO})
    Status speed(Speed speed);

    /** The line's settings and counters. */
    Status status();
}
