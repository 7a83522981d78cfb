package dev.jdm.sweep;

/** Byte counts as people write and read them. */
public final class Sizes {
    private Sizes() {}

    /** Parses {@code 4096}, {@code 0x10000}, {@code 64K}, {@code 8M}, {@code 2G} (binary units). */
    public static long parse(String s) {
        String t = s.strip();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Long.parseLong(t.substring(2), 16);
            }
            long mult = 1;
            char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
            switch (last) {
                case 'K' -> mult = 1L << 10;
                case 'M' -> mult = 1L << 20;
                case 'G' -> mult = 1L << 30;
                case 'T' -> mult = 1L << 40;
                default -> { }
            }
            if (mult != 1) {
                t = t.substring(0, t.length() - 1);
            }
            return Math.multiplyExact(Long.parseLong(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new SweepException("EINVAL", "\"" + s + "\" is not a byte count (e.g. 4096, 0x10000, 64K, 8M, 2G)");
        }
    }

    /** {@code 256 MiB}, {@code 1.5 GiB}, {@code 512 B}; the same in every locale (one decimal, a point). */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : (v == Math.rint(v) ? String.format(java.util.Locale.ROOT, "%d %s", (long) v, units[u])
                : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]));
    }

    /** {@code 0x10000}. */
    public static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
