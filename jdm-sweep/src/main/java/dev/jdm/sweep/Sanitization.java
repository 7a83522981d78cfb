package dev.jdm.sweep;

/**
 * A run described in the terms of NIST SP 800-88 Rev. 1, "Guidelines for Media Sanitization": the
 * method (Clear: logical techniques on all user-addressable locations, through the device's normal
 * read and write commands), the technique, the pattern and the verification. Appendix A asks a
 * Clear by overwriting for at least one pass of a fixed value such as zeros, and allows more passes
 * or more complex values; a pseudorandom keystream is such a value.
 *
 * <p>What the guideline cannot be told by the run alone, whether every user-addressable block was
 * reached, is each target's {@link Coverage}.
 *
 * @param guideline the publication the terms come from
 * @param method the sanitization method, {@code Clear}
 * @param technique how it is applied
 * @param pattern what every written byte was set to
 * @param verification what was read back and compared
 */
public record Sanitization(String guideline, String method, String technique, String pattern, String verification) {
    public static final String GUIDELINE = "NIST SP 800-88 Rev. 1";

    /** The description of a run with these options. */
    public static Sanitization of(SweepOptions.Method method, SweepOptions.Verify verify, int passes) {
        String pattern = switch (method) {
            case ZEROS -> "fixed value 0x00";
            case RANDOM -> "pseudorandom: AES-256-CTR keystream under a per-run key";
        };
        String every = passes == 1 ? "the pass" : "every pass";
        String verification = switch (verify) {
            case OFF -> "none (--verify=off)";
            case LAST -> "full: every written byte read back and compared after the last pass";
            case ALL -> "full: every written byte read back and compared after " + every;
        };
        return new Sanitization(GUIDELINE, "Clear", "overwrite of user-addressable blocks through the block interface, "
                + passes + (passes == 1 ? " pass" : " passes"), pattern, verification);
    }

    /** How much of the device a target's range reaches, which decides whether it is a Clear of the whole device. */
    public static final class Coverage {
        /** Every block of a whole device, its boot area included: a Clear of the device. */
        public static final String DEVICE = "device";
        /** A whole device except its first bytes (the boot area, or what its guard kept): not a Clear of the device. */
        public static final String PARTIAL = "device-except-boot-area";
        /** Every block of a partition, and nothing else of its disk. */
        public static final String PARTITION = "partition";

        private Coverage() {}

        /** The coverage of a target that wrote {@code [start, size)}. */
        public static String of(boolean wholeDevice, long start) {
            return !wholeDevice ? PARTITION : start == 0 ? DEVICE : PARTIAL;
        }

    }
}
