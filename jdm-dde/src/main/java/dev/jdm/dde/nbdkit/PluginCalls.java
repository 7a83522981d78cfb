package dev.jdm.dde.nbdkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jdm.dde.nbdkit.PluginDescriptor.Field;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The plugin's callbacks as downcall handles, with API 1 and API 2 behind one set of methods. A
 * handle is null where the plugin has no callback. Data callbacks capture errno as the callback
 * left it, for plugins that declare {@code errno_is_preserved}. Plain (non-critical) downcalls
 * throughout, because any callback may call back into Java through nbdkit_error.
 */
final class PluginCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final FunctionDescriptor VOID = FunctionDescriptor.ofVoid();
    private static final FunctionDescriptor INT = FunctionDescriptor.of(JAVA_INT);
    private static final FunctionDescriptor INT_OF_INT = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor INT_OF_HANDLE = FunctionDescriptor.of(JAVA_INT, ADDRESS);

    final int apiVersion;
    final boolean errnoIsPreserved;
    final MethodHandle load, unload, cleanup, config, configComplete, threadModel, getReady, afterFork;
    final MethodHandle preconnect, defaultExport, open, close, getSize;
    final MethodHandle canWrite, canFlush, isRotational, canTrim, canZero, canFua, canMultiConn, canExtents, canCache, canFastZero;
    final boolean hasPwrite, hasFlush, hasTrim, hasZero, hasExtents, hasCache;
    private final MethodHandle pread, pwrite, flush, trim, zero, extents, cache;

    PluginCalls(PluginDescriptor d) {
        apiVersion = d.apiVersion();
        errnoIsPreserved = d.intField(Field.ERRNO_IS_PRESERVED) != 0;
        load = plain(d, Field.LOAD, VOID);
        unload = plain(d, Field.UNLOAD, VOID);
        cleanup = plain(d, Field.CLEANUP, VOID);
        config = plain(d, Field.CONFIG, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        configComplete = plain(d, Field.CONFIG_COMPLETE, INT);
        threadModel = plain(d, Field.THREAD_MODEL, INT);
        getReady = plain(d, Field.GET_READY, INT);
        afterFork = plain(d, Field.AFTER_FORK, INT);
        preconnect = plain(d, Field.PRECONNECT, INT_OF_INT);
        defaultExport = plain(d, Field.DEFAULT_EXPORT, FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
        open = plain(d, Field.OPEN, FunctionDescriptor.of(ADDRESS, JAVA_INT));
        close = plain(d, Field.CLOSE, FunctionDescriptor.ofVoid(ADDRESS));
        getSize = plain(d, Field.GET_SIZE, FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        canWrite = plain(d, Field.CAN_WRITE, INT_OF_HANDLE);
        canFlush = plain(d, Field.CAN_FLUSH, INT_OF_HANDLE);
        isRotational = plain(d, Field.IS_ROTATIONAL, INT_OF_HANDLE);
        canTrim = plain(d, Field.CAN_TRIM, INT_OF_HANDLE);
        canZero = plain(d, Field.CAN_ZERO, INT_OF_HANDLE);
        canFua = plain(d, Field.CAN_FUA, INT_OF_HANDLE);
        canMultiConn = plain(d, Field.CAN_MULTI_CONN, INT_OF_HANDLE);
        canExtents = plain(d, Field.CAN_EXTENTS, INT_OF_HANDLE);
        canCache = plain(d, Field.CAN_CACHE, INT_OF_HANDLE);
        canFastZero = plain(d, Field.CAN_FAST_ZERO, INT_OF_HANDLE);
        // extents and cache have one slot, with flags, in both API versions.
        extents = errno(d, Field.EXTENTS, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS));
        cache = errno(d, Field.CACHE, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        if (apiVersion == 1) {
            pread = errno(d, Field.PREAD_V1, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
            pwrite = errno(d, Field.PWRITE_V1, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
            flush = errno(d, Field.FLUSH_V1, FunctionDescriptor.of(JAVA_INT, ADDRESS));
            trim = errno(d, Field.TRIM_V1, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
            zero = errno(d, Field.ZERO_V1, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        } else {
            pread = errno(d, Field.PREAD, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
            pwrite = errno(d, Field.PWRITE, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
            flush = errno(d, Field.FLUSH, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            trim = errno(d, Field.TRIM, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
            zero = errno(d, Field.ZERO, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        }
        hasPwrite = pwrite != null;
        hasFlush = flush != null;
        hasTrim = trim != null;
        hasZero = zero != null;
        hasExtents = extents != null;
        hasCache = cache != null;
    }

    /** Whether the slot the plugin's API version reads pread from is filled. */
    static boolean hasPread(PluginDescriptor d) {
        return d.has(d.apiVersion() == 1 ? Field.PREAD_V1 : Field.PREAD);
    }

    private static MethodHandle plain(PluginDescriptor d, Field f, FunctionDescriptor fd) {
        return d.has(f) ? LINKER.downcallHandle(d.address(f), fd) : null;
    }

    private static MethodHandle errno(PluginDescriptor d, Field f, FunctionDescriptor fd) {
        return d.has(f) ? LINKER.downcallHandle(d.address(f), fd, ERRNO) : null;
    }

    int pread(CallState s, MemorySegment h, MemorySegment buf, int count, long offset) throws Throwable {
        return apiVersion == 1
                ? (int) pread.invokeExact(s.errnoCapture, h, buf, count, offset)
                : (int) pread.invokeExact(s.errnoCapture, h, buf, count, offset, 0);
    }

    int pwrite(CallState s, MemorySegment h, MemorySegment buf, int count, long offset, int flags) throws Throwable {
        return apiVersion == 1
                ? (int) pwrite.invokeExact(s.errnoCapture, h, buf, count, offset)
                : (int) pwrite.invokeExact(s.errnoCapture, h, buf, count, offset, flags);
    }

    int flush(CallState s, MemorySegment h) throws Throwable {
        return apiVersion == 1 ? (int) flush.invokeExact(s.errnoCapture, h) : (int) flush.invokeExact(s.errnoCapture, h, 0);
    }

    int trim(CallState s, MemorySegment h, int count, long offset, int flags) throws Throwable {
        return apiVersion == 1
                ? (int) trim.invokeExact(s.errnoCapture, h, count, offset)
                : (int) trim.invokeExact(s.errnoCapture, h, count, offset, flags);
    }

    /** API 1's zero takes {@code int may_trim} where API 2 takes flags. */
    int zero(CallState s, MemorySegment h, int count, long offset, int flags) throws Throwable {
        int last = apiVersion == 1 ? ((flags & PluginConnection.MAY_TRIM) != 0 ? 1 : 0) : flags;
        return (int) zero.invokeExact(s.errnoCapture, h, count, offset, last);
    }

    int extents(CallState s, MemorySegment h, int count, long offset, int flags, MemorySegment list) throws Throwable {
        return (int) extents.invokeExact(s.errnoCapture, h, count, offset, flags, list);
    }

    int cache(CallState s, MemorySegment h, int count, long offset) throws Throwable {
        return (int) cache.invokeExact(s.errnoCapture, h, count, offset, 0);
    }

    /** A can_* callback's answer, or fallback when the plugin has none; -1 is an error. */
    static int ask(MethodHandle can, MemorySegment h, int fallback) throws Throwable {
        return can == null ? fallback : (int) can.invokeExact(h);
    }
}
