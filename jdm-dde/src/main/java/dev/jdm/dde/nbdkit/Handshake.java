package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.dde.nbdkit.Capabilities.Cache;
import dev.jdm.dde.nbdkit.Capabilities.Fua;
import dev.jdm.dde.nbdkit.PluginConnection.Negotiated;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Opening a connection as nbdkit's server does it: {@code .preconnect}, {@code .default_export}
 * for the default export "", {@code .open}, then get_size and every can_* callback, with the
 * defaults nbdkit-plugin(3) gives for a missing callback and the rules nbdkit's server lays on top
 * (nothing that writes on a read-only connection; FUA only natively for API 2; zeroes always
 * offered on a writable connection; fast zero offered by default exactly when it would fail fast).
 * DebianPluginsTest compares the outcome with what nbdinfo reads from nbdkit.
 */
final class Handshake {
    private Handshake() {}

    static PluginConnection open(NbdkitPlugin plugin, boolean readonly, String name) throws NbdkitException {
        boolean serial = plugin.threadModel() == ThreadModel.SERIALIZE_CONNECTIONS;
        if (serial) {
            plugin.oneConnection.acquireUninterruptibly();
        }
        boolean global = plugin.threadModel().compareTo(ThreadModel.SERIALIZE_ALL_REQUESTS) <= 0;
        if (global) {
            plugin.allRequests.lock();
        }
        MemorySegment h = MemorySegment.NULL;
        Arena names = Arena.ofShared();
        try {
            MemorySegment exportName = names.allocateFrom(name);
            CallState s = CallState.begin(plugin, exportName);
            PluginCalls c = plugin.calls;
            if (c.preconnect != null && (int) c.preconnect.invokeExact(readonly ? 1 : 0) == -1) {
                throw PluginConnection.failed(plugin, s, ".preconnect refused export '" + name + "'", BlockStatus.EINVAL);
            }
            if (name.isEmpty() && c.defaultExport != null) {
                MemorySegment canonical = (MemorySegment) c.defaultExport.invokeExact(readonly ? 1 : 0, 0);
                if (canonical.equals(MemorySegment.NULL)) {
                    throw PluginConnection.failed(plugin, s, ".default_export found no default export", BlockStatus.EINVAL);
                }
                // The plugin's string may be interned for this call only; keep a copy through .close.
                name = NativeStrings.read(canonical);
                exportName = names.allocateFrom(name);
                s = CallState.begin(plugin, exportName);
            }
            h = (MemorySegment) c.open.invokeExact(readonly ? 1 : 0);
            if (h.equals(MemorySegment.NULL)) {
                throw PluginConnection.failed(plugin, s, ".open of export '" + name + "' failed", BlockStatus.EINVAL);
            }
            Negotiated n = negotiate(plugin, s, h, readonly);
            return new PluginConnection(plugin, names, h, exportName, name, n);
        } catch (NbdkitException | RuntimeException e) {
            if (!h.equals(MemorySegment.NULL) && plugin.calls.close != null) {
                PluginConnection.closeHandle(plugin.calls, h);
            }
            if (serial) {
                plugin.oneConnection.release();
            }
            names.close();
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            if (global) {
                plugin.allRequests.unlock();
            }
        }
    }

    static Negotiated negotiate(NbdkitPlugin plugin, CallState s, MemorySegment h, boolean readonly) throws Throwable {
        PluginCalls c = plugin.calls;
        long size = (long) c.getSize.invokeExact(h);
        if (size == -1) {
            throw PluginConnection.failed(plugin, s, ".get_size failed", BlockStatus.EIO);
        }
        if (size < 0) {
            throw new NbdkitException(BlockStatus.EIO, plugin.name() + ": .get_size returned " + size);
        }
        boolean write = !readonly && ask(plugin, s, "can_write", c.canWrite, h, c.hasPwrite ? 1 : 0) != 0;
        boolean flush = ask(plugin, s, "can_flush", c.canFlush, h, c.hasFlush ? 1 : 0) != 0;
        boolean rotational = ask(plugin, s, "is_rotational", c.isRotational, h, 0) != 0;
        boolean trim = write && ask(plugin, s, "can_trim", c.canTrim, h, c.hasTrim ? 1 : 0) != 0;
        // The plugin's .can_zero only says whether to call .zero; zeroes are offered regardless.
        boolean zeroNative = write && ask(plugin, s, "can_zero", c.canZero, h, c.hasZero ? 1 : 0) != 0;
        // By default a fast zero is offered when it can only fail fast: no API 2 .zero to try.
        boolean fastZero = write && ask(plugin, s, "can_fast_zero", c.canFastZero, h, zeroNative && c.hasZero && c.apiVersion == 2 ? 0 : 1) != 0;
        Fua fua = Fua.NONE;
        if (write) {
            int f = ask(plugin, s, "can_fua", c.canFua, h, c.hasFlush ? 1 : 0);
            fua = f >= 2 ? (c.apiVersion == 1 ? Fua.EMULATE : Fua.NATIVE) : f == 1 ? Fua.EMULATE : Fua.NONE;
        }
        boolean multiConn = ask(plugin, s, "can_multi_conn", c.canMultiConn, h, 0) != 0;
        boolean extents = ask(plugin, s, "can_extents", c.canExtents, h, c.hasExtents ? 1 : 0) != 0;
        int cache = ask(plugin, s, "can_cache", c.canCache, h, c.hasCache ? 2 : 0);
        Cache cacheMode = cache >= 2 ? Cache.NATIVE : cache == 1 ? Cache.EMULATE : Cache.NONE;
        Capabilities caps = new Capabilities(write, flush, trim, write, fastZero, fua, extents, multiConn, cacheMode, rotational);
        return new Negotiated(size, caps, zeroNative, readonly);
    }

    private static int ask(NbdkitPlugin plugin, CallState s, String what, MethodHandle can, MemorySegment h, int fallback)
            throws Throwable {
        int r = PluginCalls.ask(can, h, fallback);
        if (r == -1) {
            throw PluginConnection.failed(plugin, s, "." + what + " failed", BlockStatus.EIO);
        }
        return r;
    }
}
