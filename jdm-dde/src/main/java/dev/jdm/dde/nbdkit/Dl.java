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
