package dev.jdm.dde.nbdkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jdm.abi.blk.BlockStatus;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code libjdm-nbdkit.so}, the server half of nbdkit's plugin ABI (src/main/c). Read from the
 * JAR into a memory file (nothing is written to disk, which an isolated domain could not), opened {@code RTLD_NOW | RTLD_GLOBAL} so that every plugin
 * opened after it binds its {@code nbdkit_*} imports to it, and given its upcalls. Once per process:
 * the shim is never closed, since any loaded plugin may still call it.
 */
final class NativeShim {
    static final String RESOURCE = "/native/linux-x86_64/libjdm-nbdkit.so";
    /** Its SONAME, by which a second environment in the process finds the copy loaded already. */
    private static final String SONAME = "libjdm-nbdkit.so";
    private static final int EBUSY = 16;
    private static final Linker LINKER = Linker.nativeLinker();
    private static NativeShim instance;

    private final MethodHandle objectBase;
    private final MethodHandle releaseInterned;
    private final MethodHandle plugins;

    private NativeShim(MemorySegment handle) throws Throwable {
        objectBase = LINKER.downcallHandle(symbol(handle, "jdm_nbdkit_object_base"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        releaseInterned = LINKER.downcallHandle(symbol(handle, "jdm_nbdkit_release_interned"), FunctionDescriptor.ofVoid(ADDRESS));
        plugins = LINKER.downcallHandle(symbol(handle, "jdm_nbdkit_plugins"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        MethodHandle bind = LINKER.downcallHandle(symbol(handle, "jdm_nbdkit_bind"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        Arena forever = Arena.global();
        MemorySegment upcalls = forever.allocate(ADDRESS, 4);
        upcalls.setAtIndex(ADDRESS, 0, upcall("message", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS), forever));
        upcalls.setAtIndex(ADDRESS, 1, upcall("setError", FunctionDescriptor.ofVoid(JAVA_INT), forever));
        upcalls.setAtIndex(ADDRESS, 2, upcall("addExtent", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT), forever));
        upcalls.setAtIndex(ADDRESS, 3, upcall("exportName", FunctionDescriptor.of(ADDRESS), forever));
        if ((int) bind.invokeExact(upcalls) != 0) {
            throw new NbdkitException(EBUSY, "the nbdkit environment is in use in this process by another instance"
                    + " (plugins bind to the first copy of its symbols, so there is one per process); unload that one, or run this"
                    + " one in an isolated domain");
        }
    }

    /** Counts a plugin in ({@code +1}) or out ({@code -1}) of the shim's binding. */
    void plugins(int delta) {
        try {
            int ignored = (int) plugins.invokeExact(delta);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The shim, loaded on first use. */
    static synchronized NativeShim get() throws NbdkitException {
        if (instance == null) {
            try {
                // loaded already, by this environment in another class loader: bind that copy to this one
                instance = new NativeShim(Dl.open(SONAME, Dl.RTLD_NOW | Dl.RTLD_GLOBAL | Dl.RTLD_NOLOAD));
                return instance;
            } catch (Dl.DlException notLoaded) {
                // the first in this process: load it below
            } catch (NbdkitException e) {
                throw e;
            } catch (Throwable e) {
                throw new NbdkitException(BlockStatus.EIO, "cannot bind the nbdkit shim: " + e);
            }
            try (InputStream in = NativeShim.class.getResourceAsStream(RESOURCE); Arena image = Arena.ofConfined()) {
                if (in == null) {
                    throw new NbdkitException(BlockStatus.EIO, "the nbdkit shim " + RESOURCE + " is missing from the jdm-dde JAR; rebuild jdm-dde");
                }
                byte[] bytes = in.readAllBytes();
                MemorySegment so = image.allocate(bytes.length);
                so.copyFrom(MemorySegment.ofArray(bytes));
                instance = new NativeShim(Dl.openImage(SONAME, so, Dl.RTLD_NOW | Dl.RTLD_GLOBAL));
            } catch (NbdkitException e) {
                throw e;
            } catch (Dl.DlException e) {
                throw new NbdkitException(BlockStatus.EIO, "cannot load the nbdkit shim: " + e.getMessage());
            } catch (Throwable e) {
                throw new NbdkitException(BlockStatus.EIO, "cannot load the nbdkit shim: " + e);
            }
        }
        return instance;
    }

    private static MemorySegment symbol(MemorySegment handle, String name) {
        MemorySegment s = Dl.sym(handle, name);
        if (s.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("the nbdkit shim lacks " + name);
        }
        return s;
    }

    private static MemorySegment upcall(String method, FunctionDescriptor fd, Arena arena) throws ReflectiveOperationException {
        MethodType type = fd.toMethodType();
        MethodHandle target = MethodHandles.lookup().findStatic(Upcalls.class, method, type);
        return LINKER.upcallStub(target, fd, arena);
    }

    /** The load address of the shared object containing addr (dladdr), 0 if none. */
    long objectBase(MemorySegment addr) {
        try {
            return ((MemorySegment) objectBase.invokeExact(addr)).address();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Frees the strings a plugin interned (nbdkit_strdup_intern), after its .unload. */
    void releaseInterned(long base) {
        try {
            releaseInterned.invokeExact(MemorySegment.ofAddress(base));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
