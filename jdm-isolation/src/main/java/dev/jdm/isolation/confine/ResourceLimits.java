package dev.jdm.isolation.confine;

/**
 * The rlimits a domain sets on itself (soft = hard, so it cannot raise them again); 0 leaves one
 * unchanged. What each covers:
 *
 * <ul>
 *   <li>{@code addressSpace} (RLIMIT_AS): all virtual memory of the process: Java heap, metaspace,
 *       code cache, thread stacks, malloc and mmap by native code. The JVM reserves address space
 *       up front, so it must exceed {@code -Xmx} plus the JVM's reservations (the launcher caps those
 *       with {@code -XX:ReservedCodeCacheSize} and {@code -XX:CompressedClassSpaceSize}). The heap
 *       itself is bounded more precisely by {@code -Xmx}, direct buffers by
 *       {@code -XX:MaxDirectMemorySize}.
 *   <li>{@code openFiles} (RLIMIT_NOFILE): descriptors, including sockets and received ones.
 *   <li>{@code tasks} (RLIMIT_NPROC): processes and threads of the real uid, counted across every
 *       process of that uid, so it is a per-domain limit only when each domain has its own uid.
 *       It is not enforced for root, one more reason to drop the uid. Java threads are further
 *       limited by the JVM options the launcher passes ({@code -XX:ActiveProcessorCount},
 *       compiler and GC thread counts).
 * </ul>
 */
public record ResourceLimits(long addressSpace, long openFiles, long tasks) {
    static final int RLIMIT_NPROC = 6;
    static final int RLIMIT_NOFILE = 7;
    static final int RLIMIT_AS = 9;

    /** No limits set. */
    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0);

    public ResourceLimits {
        if (addressSpace < 0 || openFiles < 0 || tasks < 0) {
            throw new IllegalArgumentException("limits must not be negative: as=" + addressSpace + " nofile=" + openFiles + " nproc=" + tasks);
        }
    }
}
