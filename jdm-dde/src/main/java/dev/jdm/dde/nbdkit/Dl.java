package dev.jdm.dde.nbdkit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The dynamic linker, called directly: {@link SymbolLookup#libraryLookup} opens libraries
 * {@code RTLD_LOCAL} and only for the life of an arena, but the shim must be {@code RTLD_GLOBAL}
 * so that plugins bind to it, and a plugin must be closed exactly when it is unloaded.
 */
final class Dl {
    /** {@code <dlfcn.h>} on Linux. */
    static final int RTLD_NOW = 0x2;
    static final int RTLD_GLOBAL = 0x100;
    static final int RTLD_LOCAL = 0;
    /** Only find an object already loaded (by path or SONAME); load nothing. */
    static final int RTLD_NOLOAD = 0x4;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle DLOPEN = libc("dlopen", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle DLSYM = libc("dlsym", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DLCLOSE = libc("dlclose", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle DLERROR = libc("dlerror", FunctionDescriptor.of(ValueLayout.ADDRESS));
    private static final MethodHandle MEMFD_CREATE = libc("memfd_create", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle WRITE = libc("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final int MFD_CLOEXEC = 1;
    /**
     * The memory file behind each object opened from an image, by handle address: kept open while
     * the object is loaded, because the dynamic linker knows an object by the name it was opened
     * with, and {@code /proc/self/fd/N} names another object once N is reused.
     */
    private static final java.util.Map<Long, Integer> IMAGE_FDS = new java.util.concurrent.ConcurrentHashMap<>();

    private Dl() {}

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), fd);
    }

    /** A handle, or an exception carrying the linker's reason (dlerror). */
    static MemorySegment open(Path file, int mode) throws DlException {
        return open(file.toString(), mode);
    }

    /** The same for a name: a path, or with {@link #RTLD_NOLOAD} the SONAME of an object loaded already. */
    static MemorySegment open(String file, int mode) throws DlException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment h = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(file), mode);
            if (h.equals(MemorySegment.NULL)) {
                throw new DlException(error());
            }
            return h;
        } catch (DlException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Opens a shared object held in memory: its bytes go into an anonymous memory file (memfd),
     * opened through {@code /proc/self/fd}. Nothing is written to a file system, and nothing is
     * left behind: the memory file goes with {@link #close}. An isolated domain, which Landlock lets
     * open no path, can open an object this way: memory files belong to no file system a rule governs.
     *
     * @param name what the memory file is called in {@code /proc/PID/maps} ({@code memfd:NAME})
     */
    static MemorySegment openImage(String name, MemorySegment image, int mode) throws DlException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(arena.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) {
                throw new DlException("cannot create a memory file for " + name + " (memfd_create failed)");
            }
            boolean opened = false;
            try {
                for (long done = 0; done < image.byteSize(); ) {
                    long n = (long) WRITE.invokeExact(fd, image.asSlice(done), image.byteSize() - done);
                    if (n <= 0) {
                        throw new DlException("cannot fill the memory file for " + name + " (write failed)");
                    }
                    done += n;
                }
                MemorySegment h = open("/proc/self/fd/" + fd, mode);
                IMAGE_FDS.put(h.address(), fd);
                opened = true;
                return h;
            } finally {
                if (!opened) {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
            }
        } catch (DlException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The symbol's address, or {@link MemorySegment#NULL} if the object does not define it. */
    static MemorySegment sym(MemorySegment handle, String name) {
        try (Arena arena = Arena.ofConfined()) {
            error(); // dlsym reports failure only through dlerror; start from a clean slate.
            return (MemorySegment) DLSYM.invokeExact(handle, arena.allocateFrom(name));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void close(MemorySegment handle) {
        try {
            int ignored = (int) DLCLOSE.invokeExact(handle);
            Integer fd = IMAGE_FDS.remove(handle.address());
            if (fd != null) {
                int alsoIgnored = (int) CLOSE.invokeExact((int) fd);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static String error() throws Throwable {
        MemorySegment e = (MemorySegment) DLERROR.invokeExact();
        return e.equals(MemorySegment.NULL) ? "unknown dynamic linker error" : NativeStrings.read(e);
    }

    /** What dlopen said. */
    static final class DlException extends Exception {
        DlException(String message) {
            super(message);
        }
    }
}
