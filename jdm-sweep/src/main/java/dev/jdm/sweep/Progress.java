package dev.jdm.sweep;

/**
 * A snapshot of one target's progress.
 *
 * @param phase what it is doing now ({@code write pass 1}, {@code verify pass 2}, {@code done})
 * @param done bytes of the whole run done for this target (every phase counted)
 * @param total bytes of the whole run for this target
 * @param bytesPerSecond recent throughput
 * @param etaSeconds estimated seconds left, or -1 while unknown
 * @param problems I/O errors and mismatches so far
 */
public record Progress(String target, String phase, long done, long total, long bytesPerSecond, long etaSeconds,
        long problems, boolean finished) {

    /** Done as a fraction in [0, 1]. */
    public double fraction() {
        return total == 0 ? 1 : (double) done / total;
    }

    /** Receives progress from a running sweep, about twice a second, and events as they happen. */
    public interface Listener {
        void progress(java.util.List<Progress> targets);

        /** Something worth a line: a phase began, an error, a mismatch. */
        default void event(String target, String message) {}
    }
}
