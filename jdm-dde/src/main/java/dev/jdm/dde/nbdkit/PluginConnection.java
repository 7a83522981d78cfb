package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.dde.nbdkit.Capabilities.Cache;
import dev.jdm.dde.nbdkit.Capabilities.Fua;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One open handle of a plugin: what an NBD client connection is to nbdkit. Requests are checked
 * and completed as nbdkit's server does it (range and flag checks, FUA by flush where the plugin
 * cannot, zeroes by pwrite where it will not, all-data extents where it has none), so that a
 * client sees the same answers as from {@code nbdkit PLUGIN}. Buffers are native segments handed
 * to the plugin as they are.
 *
 * <p>Thread safety follows the plugin's {@link ThreadModel}: calls are serialised here as far as
 * the model asks and no further.
 */
public final class PluginConnection implements AutoCloseable {
    /** {@code NBDKIT_FLAG_MAY_TRIM}: zero may punch a hole (NBD: no NO_HOLE flag). */
    public static final int MAY_TRIM = 1;
    /** {@code NBDKIT_FLAG_FUA}: forced unit access on pwrite, trim and zero. */
    public static final int FUA = 1 << 1;
    /** {@code NBDKIT_FLAG_REQ_ONE}: extents wants only the first extent. */
    public static final int REQ_ONE = 1 << 2;
    /** {@code NBDKIT_FLAG_FAST_ZERO}: zero must fail with ENOTSUP rather than be slow. */
    public static final int FAST_ZERO = 1 << 3;

    /** nbdkit's MAX_REQUEST_SIZE: larger reads and writes are refused with ENOMEM. */
    public static final int MAX_REQUEST = 64 * 1024 * 1024;
    private static final int ENOTSUP = BlockStatus.EOPNOTSUPP;

    private final NbdkitPlugin plugin;
    private final PluginCalls calls;
    private final MemorySegment handle;
    private final MemorySegment exportName;
    private final String exportNameText;
    private final Negotiated n;
    private final ReentrantLock requests = new ReentrantLock();
    /** Holds the export name, which nbdkit promises plugins through .close. */
    private final Arena names;
    private volatile boolean closed;

    /** The tri-states behind the public {@link Capabilities}, as nbdkit's backend keeps them. */
    record Negotiated(long size, Capabilities caps, boolean zeroNative, boolean readonly) {}

    PluginConnection(NbdkitPlugin plugin, Arena names, MemorySegment handle, MemorySegment exportName, String name, Negotiated n) {
        this.plugin = plugin;
        this.names = names;
        this.exportNameText = name;
        this.calls = plugin.calls;
        this.handle = handle;
        this.exportName = exportName;
        this.n = n;
    }

    /** The export this connection serves: as asked for, or the plugin's name for the default export. */
    public String exportName() {
        return exportNameText;
    }

    public long size() {
        return n.size();
    }

    public Capabilities capabilities() {
        return n.caps();
    }

    public boolean readonly() {
        return n.readonly();
    }

    /** Reads {@code buf.byteSize()} bytes at offset. */
    public void pread(MemorySegment buf, long offset) throws NbdkitException {
        int count = check("pread", buf, offset, 0, 0);
        if (count > MAX_REQUEST) {
            throw refused("pread", BlockStatus.ENOMEM, "request of " + count + " bytes is larger than " + MAX_REQUEST);
        }
        lock();
        try {
            call("pread", offset, count, s -> calls.pread(s, handle, buf, count, offset));
        } finally {
            unlock();
        }
    }

    /** Writes {@code buf.byteSize()} bytes at offset; flags may hold {@link #FUA}. */
    public void pwrite(MemorySegment buf, long offset, int flags) throws NbdkitException {
        int count = check("pwrite", buf, offset, flags, FUA);
        if (count > MAX_REQUEST) {
            throw refused("pwrite", BlockStatus.ENOMEM, "request of " + count + " bytes is larger than " + MAX_REQUEST);
        }
        lock();
        try {
            write(buf, offset, count, flags);
        } finally {
            unlock();
        }
    }

    private void write(MemorySegment buf, long offset, int count, int flags) throws NbdkitException {
        boolean emulateFua = emulatesFua(flags);
        int pass = emulateFua ? flags & ~FUA : flags;
        call("pwrite", offset, count, s -> calls.pwrite(s, handle, buf, count, offset, pass));
        finishFua(emulateFua);
    }

    public void flush() throws NbdkitException {
        if (!n.caps().flush()) {
            throw refused("flush", BlockStatus.EINVAL, "the plugin does not flush");
        }
        lock();
        try {
            doFlush();
        } finally {
            unlock();
        }
    }

    /** Also the FUA emulation, which nbdkit does even when .can_flush says no. */
    private void doFlush() throws NbdkitException {
        call("flush", 0, 0, s -> calls.flush(s, handle));
    }

    /** Discards a range; flags may hold {@link #FUA}. */
    public void trim(long offset, long length, int flags) throws NbdkitException {
        int count = check("trim", null, offset, length, flags, FUA);
        if (!n.caps().trim()) {
            throw refused("trim", BlockStatus.EINVAL, "the connection does not trim");
        }
        boolean emulateFua = emulatesFua(flags);
        int pass = emulateFua ? flags & ~FUA : flags;
        lock();
        try {
            call("trim", offset, count, s -> calls.trim(s, handle, count, offset, pass));
            finishFua(emulateFua);
        } finally {
            unlock();
        }
    }

    /**
     * Writes zeroes; flags may hold {@link #MAY_TRIM}, {@link #FUA} and {@link #FAST_ZERO}. As in
     * nbdkit, .zero is tried first where the plugin wants it, and pwrite of zeroes follows when it
     * is absent or answers ENOTSUP, except for a fast zero, which then fails with ENOTSUP.
     */
    public void zero(long offset, long length, int flags) throws NbdkitException {
        int count = check("zero", null, offset, length, flags, MAY_TRIM | FUA | FAST_ZERO);
        if (!n.caps().zero()) {
            throw refused("zero", BlockStatus.EINVAL, "the connection does not write zeroes");
        }
        boolean emulateFua = emulatesFua(flags);
        boolean fast = (flags & FAST_ZERO) != 0;
        int pass = emulateFua ? flags & ~FUA : flags;
        lock();
        try {
            if (count == 0) {
                return;
            }
            NbdkitException last = null;
            if (n.zeroNative() && calls.hasZero && !(fast && calls.apiVersion == 1)) {
                try {
                    call("zero", offset, count, s -> calls.zero(s, handle, count, offset, pass));
                    finishFua(emulateFua);
                    return;
                } catch (NbdkitException e) {
                    if (e.errno() != ENOTSUP) {
                        throw e;
                    }
                    last = e;
                }
            }
            if (fast) {
                throw last != null ? last : refused("zero", ENOTSUP, "a fast zero would be no faster than writing zeroes");
            }
            writeZeroes(offset, count, pass & ~MAY_TRIM & ~FAST_ZERO);
            finishFua(emulateFua);
        } finally {
            unlock();
        }
    }

    private void finishFua(boolean emulateFua) throws NbdkitException {
        if (emulateFua) {
            doFlush();
        }
    }

    private void writeZeroes(long offset, int count, int flags) throws NbdkitException {
        int chunk = Math.min(count, 1024 * 1024);
        MemorySegment zeroes;
        try (Arena a = Arena.ofConfined()) {
            zeroes = a.allocate(chunk);
            for (long done = 0; done < Integer.toUnsignedLong(count); done += chunk) {
                int len = (int) Math.min(chunk, Integer.toUnsignedLong(count) - done);
                write(zeroes.asSlice(0, len), offset + done, len, flags);
            }
        }
    }

    /**
     * The allocation map of {@code [offset, offset+length)}: the plugin's own, or one data extent
     * when it has none. With {@link #REQ_ONE} only the first extent.
     */
    public List<Extent> extents(long offset, long length, int flags) throws NbdkitException {
        int count = check("extents", null, offset, length, flags, REQ_ONE);
        if (!n.caps().extents() || count == 0) {
            return List.of(new Extent(offset, length, false, false));
        }
        lock();
        try (Arena a = Arena.ofConfined()) {
            ExtentCollector c = new ExtentCollector(a.allocate(8), offset, offset + length);
            call("extents", offset, count, s -> {
                s.extents = c;
                return calls.extents(s, handle, count, offset, flags, c.token);
            });
            List<Extent> list = c.result();
            if (list.isEmpty()) {
                throw refused("extents", BlockStatus.EINVAL, "the plugin returned no extent covering offset " + offset);
            }
            return (flags & REQ_ONE) != 0 ? List.of(list.getFirst()) : list;
        } finally {
            unlock();
        }
    }

    /** A prefetch hint: the plugin's .cache, a read that is thrown away, or nothing, as {@link Cache} says. */
    public void cache(long offset, long length) throws NbdkitException {
        int count = check("cache", null, offset, length, 0, 0);
        Cache mode = n.caps().cache();
        if (mode == Cache.NONE) {
            throw refused("cache", BlockStatus.EINVAL, "the connection does not cache");
        }
        if (mode == Cache.EMULATE) {
            try (Arena a = Arena.ofConfined()) {
                int chunk = Math.min(count, MAX_REQUEST);
                MemorySegment buf = a.allocate(Math.max(chunk, 1));
                for (long done = 0; done < length; done += chunk) {
                    pread(buf.asSlice(0, Math.min(chunk, length - done)), offset + done);
                }
            }
            return;
        }
        if (!calls.hasCache) {
            return;
        }
        lock();
        try {
            call("cache", offset, count, s -> calls.cache(s, handle, count, offset));
        } finally {
            unlock();
        }
    }

    /** {@code .close}; the handle must not be used afterwards. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        lock();
        try {
            begin();
            closeHandle(calls, handle);
        } finally {
            unlock();
            names.close();
            if (plugin.threadModel() == ThreadModel.SERIALIZE_CONNECTIONS) {
                plugin.oneConnection.release();
            }
            plugin.closed();
        }
    }

    static void closeHandle(PluginCalls calls, MemorySegment h) {
        if (calls.close != null) {
            try {
                calls.close.invokeExact(h);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }
    }

    private CallState begin() {
        return CallState.begin(plugin, exportName);
    }

    /** One callback of this connection; -1 becomes the exception nbdkit's rules give it. */
    @FunctionalInterface
    private interface Callback {
        int call(CallState s) throws Throwable;
    }

    private void call(String op, long offset, int count, Callback cb) throws NbdkitException {
        CallState s = begin();
        int r;
        try {
            r = cb.call(s);
        } catch (Throwable t) {
            throw new AssertionError(t); // downcalls do not throw; upcalls catch everything
        } finally {
            s.extents = null;
        }
        if (r == -1) {
            throw failure(op, offset, count, s);
        }
    }

    private boolean emulatesFua(int flags) {
        return (flags & FUA) != 0 && n.caps().fua() != Fua.NATIVE;
    }

    private void lock() {
        ThreadModel m = plugin.threadModel();
        if (m.compareTo(ThreadModel.SERIALIZE_ALL_REQUESTS) <= 0) {
            plugin.allRequests.lock();
        }
        if (m.compareTo(ThreadModel.SERIALIZE_REQUESTS) <= 0) {
            requests.lock();
        }
    }

    private void unlock() {
        ThreadModel m = plugin.threadModel();
        if (m.compareTo(ThreadModel.SERIALIZE_REQUESTS) <= 0) {
            requests.unlock();
        }
        if (m.compareTo(ThreadModel.SERIALIZE_ALL_REQUESTS) <= 0) {
            plugin.allRequests.unlock();
        }
    }

    private int check(String op, MemorySegment buf, long offset, int flags, int allowed) throws NbdkitException {
        if (!buf.isNative()) {
            throw new IllegalArgumentException(op + ": the buffer must be a native memory segment, not a heap one");
        }
        return check(op, buf, offset, buf.byteSize(), flags, allowed);
    }

    /**
     * nbdkit's request validation in its order (ErrorParityTest holds it to nbdkit's answers):
     * writing on a read-only connection (EROFS), the range, which must not be empty (ENOSPC for
     * writes past the end, EINVAL otherwise), then the flags.
     */
    private int check(String op, MemorySegment buf, long offset, long length, int flags, int allowed) throws NbdkitException {
        if (closed) {
            throw new IllegalStateException(plugin.name() + ": " + op + " on a closed connection");
        }
        if ((op.equals("pwrite") || op.equals("trim") || op.equals("zero")) && !n.caps().write()) {
            throw refused(op, BlockStatus.EROFS, n.readonly() ? "the connection is read-only" : "the plugin cannot write");
        }
        if (length < 0 || length > 0xffff_ffffL) {
            throw refused(op, BlockStatus.EINVAL, "length " + length + " does not fit in 32 bits");
        }
        // nbdkit treats an empty range like one past the end.
        if (length == 0 || offset < 0 || offset > n.size() || length > n.size() - offset) {
            boolean writes = op.equals("pwrite") || op.equals("zero");
            throw refused(op, writes ? BlockStatus.ENOSPC : BlockStatus.EINVAL,
                    "offset " + offset + " and length " + length + " are out of range for size " + n.size());
        }
        if ((flags & ~allowed) != 0) {
            throw refused(op, BlockStatus.EINVAL, "flags 0x" + Integer.toHexString(flags & ~allowed) + " are not valid here");
        }
        if ((flags & FUA) != 0 && n.caps().fua() == Fua.NONE) {
            throw refused(op, BlockStatus.EINVAL, "FUA is not supported by this connection");
        }
        if ((flags & FAST_ZERO) != 0 && !n.caps().fastZero()) {
            throw refused(op, BlockStatus.EINVAL, "fast zero is not supported by this connection");
        }
        return (int) length;
    }

    private NbdkitException refused(String op, int errno, String why) {
        return new NbdkitException(errno, plugin.name() + ": " + op + ": " + why + " (" + BlockStatus.name(errno) + ")");
    }

    private NbdkitException failure(String op, long offset, int count, CallState s) {
        int errno = s.failure(calls.errnoIsPreserved);
        String text = s.lastError;
        String where = op.equals("flush") ? "" : " at " + offset + " (" + Integer.toUnsignedLong(count) + " bytes)";
        return new NbdkitException(errno, plugin.name() + ": " + op + where + " failed: " + BlockStatus.name(errno)
                + (text != null ? ": " + text : ""), text);
    }

    static NbdkitException failed(NbdkitPlugin plugin, CallState s, String what, int errno) {
        String text = s.lastError;
        return new NbdkitException(errno, plugin.name() + ": " + what + (text != null ? ": " + text : ""), text);
    }
}
