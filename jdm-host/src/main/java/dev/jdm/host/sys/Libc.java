package dev.jdm.host.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few libc calls the host needs, through FFM: anonymous memory maps for vmalloc and peer
 * credentials of Unix sockets. Linux x86-64 and aarch64 constants.
 */
public final class Libc {
    /** PROT_READ | PROT_WRITE. */
    public static final int PROT_RW = 0x1 | 0x2;
    /** MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE: zero pages, committed on first write. */
    public static final int MAP_ANON_LAZY = 0x02 | 0x20 | 0x4000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle GETSOCKOPT = handle("getsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle MADVISE = handle("madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final int MADV_DONTNEED = 4;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle GETUID = handle("getuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETGID = handle("getgid", FunctionDescriptor.of(ValueLayout.JAVA_INT));

    private Libc() {}

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd);
    }

    /** Maps {@code length} bytes of zeroed, lazily committed memory; returns its address. */
    public static long mmapAnonymous(long length) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_RW, MAP_ANON_LAZY, -1, 0L);
            if (p.address() == -1L) {
                throw new OutOfMemoryError("mmap of " + length + " bytes failed");
            }
            return p.address();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Unmaps memory from {@link #mmapAnonymous}. */
    public static void munmap(long address, long length) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
            if (rc != 0) {
                throw new IllegalStateException("munmap failed at 0x" + Long.toHexString(address));
            }
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code {pid, uid, gid}} of the peer of a connected Unix socket, from SO_PEERCRED. */
    public static int[] peerCredentials(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(12, 4);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 12);
            int rc = (int) GETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_PEERCRED, ucred, len);
            if (rc != 0) {
                throw new IllegalStateException("getsockopt(SO_PEERCRED) failed on fd " + fd);
            }
            return new int[] {ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4), ucred.get(ValueLayout.JAVA_INT, 8)};
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The host's own uid. */
    public static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The host's own gid. */
    public static int getgid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Asks for transparent huge pages over {@code [address, address + length)} (madvise
     * MADV_HUGEPAGE), where the system's THP setting is "madvise" or "always"; false if the kernel
     * refuses (THP off or not built in), which only costs speed.
     */
    public static boolean adviseHugePages(long address, long length) {
        try {
            return (int) MADVISE.invokeExact(MemorySegment.ofAddress(address), length, MADV_HUGEPAGE) == 0;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Drops the pages of {@code [address, address + length)} of a private anonymous map: they read as
     * zeroes afterwards and cost no memory (madvise MADV_DONTNEED). Both must be page-aligned.
     */
    public static void dropPages(long address, long length) {
        try {
            int rc = (int) MADVISE.invokeExact(MemorySegment.ofAddress(address), length, MADV_DONTNEED);
            if (rc != 0) {
                throw new IllegalStateException("madvise(MADV_DONTNEED) failed at 0x" + Long.toHexString(address));
            }
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
