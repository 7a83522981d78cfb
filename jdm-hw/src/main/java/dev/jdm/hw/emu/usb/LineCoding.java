package dev.jdm.hw.emu.usb;

import java.util.Objects;
import java.util.Set;

/**
 * The 7-byte line coding of SET_LINE_CODING and GET_LINE_CODING (PSTN 1.2 §6.3.10, Table 17):
 * dwDTERate in bits per second, bCharFormat (0: 1 stop bit, 1: 1.5, 2: 2), bParityType (0: none,
 * 1: odd, 2: even, 3: mark, 4: space) and bDataBits (5, 6, 7, 8 or 16).
 */
public record LineCoding(long dteRate, int charFormat, int parityType, int dataBits) {
    private static final Set<Integer> DATA_BITS = Set.of(5, 6, 7, 8, 16); // before DEFAULT, which checks against it
    public static final int LENGTH = 7;
    /** 9600 baud, 8 data bits, no parity, 1 stop bit: what a device reports before the host sets anything. */
    public static final LineCoding DEFAULT = new LineCoding(9600, 0, 0, 8);

    public LineCoding {
        if (dteRate < 0 || dteRate > 0xffff_ffffL) {
            throw new IllegalArgumentException("dwDTERate is a 32-bit unsigned rate, not " + dteRate);
        }
        if (charFormat < 0 || charFormat > 2) {
            throw new IllegalArgumentException("bCharFormat is 0 (1 stop bit), 1 (1.5) or 2 (2), not " + charFormat);
        }
        if (parityType < 0 || parityType > 4) {
            throw new IllegalArgumentException("bParityType is 0-4 (none, odd, even, mark, space), not " + parityType);
        }
        if (!DATA_BITS.contains(dataBits)) {
            throw new IllegalArgumentException("bDataBits is 5, 6, 7, 8 or 16, not " + dataBits);
        }
    }

    /** Reads the 7 bytes of the data stage. */
    public static LineCoding parse(byte[] b) {
        Objects.requireNonNull(b, "bytes");
        if (b.length != LENGTH) {
            throw new IllegalArgumentException("a line coding has 7 bytes, not " + b.length);
        }
        long rate = (b[0] & 0xffL) | (b[1] & 0xffL) << 8 | (b[2] & 0xffL) << 16 | (b[3] & 0xffL) << 24;
        return new LineCoding(rate, b[4] & 0xff, b[5] & 0xff, b[6] & 0xff);
    }

    public byte[] bytes() {
        return new byte[] {
            (byte) dteRate, (byte) (dteRate >> 8), (byte) (dteRate >> 16), (byte) (dteRate >> 24),
            (byte) charFormat, (byte) parityType, (byte) dataBits,
        };
    }

    @Override
    public String toString() {
        return dteRate + " " + dataBits + "NOEMS".charAt(parityType) + new String[] {"1", "1.5", "2"}[charFormat];
    }
}
