package dev.jdm.drivers.ddenbdkit;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.dde.nbdkit.Capabilities;
import dev.jdm.dde.nbdkit.Extent;
import dev.jdm.dde.nbdkit.NbdkitException;
import dev.jdm.dde.nbdkit.NbdkitPlugin;
import dev.jdm.dde.nbdkit.PluginConnection;
import dev.jdm.dde.nbdkit.PluginListener;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.Grants;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An unmodified nbdkit plugin binary as a jdm block driver: the nbdkit environment (jdm-dde and
 * its native shim, carried in this JAR) loads the plugin, configures it as nbdkit would, opens one
 * connection and serves the LU through it. The plugin's {@code can_*} answers become the LU's
 * capabilities, its {@code .extents} the LU's hole map, its errno each request's status, and its
 * {@code nbdkit_error} text the module's log. Native code: it runs in an isolated domain, or
 * colocated only where the operator allows it.
 */
@DriverModule(name = "dde-nbdkit", version = "1.0", license = "GPL", author = "jdm developers", nativeCode = true,
        description = "nbdkit plugin binaries (memory, file, data, ...) as block drivers, through the nbdkit environment")
@Param(name = "plugin", description = "the plugin: a name from nbdkit's plugin directory (memory, file, ...) or the absolute path of its .so")
@Param(name = "config", defaultValue = "", description = "the plugin's own key=value parameters, separated by spaces (size=1G)")
@Param(name = "name", defaultValue = "nbdkit0", description = "LU name")
@Param(name = "readonly", type = Param.Type.BOOL, defaultValue = "n", description = "open the plugin read-only")
@Param(name = "file", defaultValue = "", description = "a file the host grants (read-write unless readonly), given to the plugin as fd=N, its descriptor")
public final class NbdkitDisk implements LoadableModule {
    private static final int SECTOR = 512;

    private final ModuleContext ctx;
    private final NbdkitPlugin plugin;
    private final PluginConnection connection;
    private final BlockDevice device;
    /** The file= grant, or null. */
    private final GrantedFile file;

    public NbdkitDisk(ModuleContext ctx) throws NbdkitException {
        this.ctx = ctx;
        String config = ctx.params().string("config").strip();
        List<String> args = new ArrayList<>(config.isEmpty() ? List.of() : Arrays.asList(config.split("\\s+")));
        boolean readonly = ctx.params().bool("readonly");
        // A plugin that keeps its data in a file opens it itself, which an isolated domain may not:
        // the host opens it instead, and the plugin gets the descriptor. Its data then survives a
        // restart of the domain, and the replayed requests find it.
        file = ctx.params().string("file").isEmpty() ? null : ctx.block().grants().file("file", readonly ? Grants.READ_ONLY : 0);
        if (file != null) {
            args.add("fd=" + file.descriptor());
        }
        PluginListener log = (name, level, text) -> {
            if (level == PluginListener.Level.ERROR) {
                ctx.log().err(name + ": " + text);
            } else {
                ctx.log().debug(name + ": " + text);
            }
        };
        try {
            plugin = NbdkitPlugin.start(ctx.params().string("plugin"), args, log, this::granted);
        } catch (NbdkitException | RuntimeException e) {
            closeFile();
            throw e;
        }
        try {
            connection = plugin.open(readonly);
        } catch (NbdkitException | RuntimeException e) {
            plugin.close();
            closeFile();
            throw e;
        }
        try {
            device = register(ctx, connection); // its partition scan reads through the connection already
        } catch (RuntimeException e) {
            connection.close(); // the plugin refuses to unload with a connection open
            plugin.close();
            closeFile();
            throw e;
        }
        ctx.log().info(device.name() + ": nbdkit plugin " + plugin.name() + " " + plugin.version() + " (API " + plugin.apiVersion() + ", "
                + plugin.threadModel() + "), " + device.size() + " bytes" + (connection.readonly() ? ", read-only" : ""));
    }

    /**
     * A plugin binary or library this process may not open by path (an isolated domain), read from
     * the file the host grants: under the host's grant policy, a [[grant]] rule for this module.
     */
    private MemorySegment granted(Path path, Arena arena) {
        try (GrantedFile g = ctx.block().grants().fileAt(path.toString(), Grants.READ_ONLY)) {
            MemorySegment bytes = arena.allocate(g.size());
            g.pread(bytes, 0);
            return bytes;
        }
    }

    private void closeFile() {
        if (file != null) {
            file.close();
        }
    }

    private BlockDevice register(ModuleContext ctx, PluginConnection c) {
        long size = c.size() / SECTOR * SECTOR;
        if (size == 0) {
            throw new IllegalArgumentException("the plugin's export is " + c.size() + " bytes, less than one " + SECTOR + "-byte block");
        }
        if (size != c.size()) {
            ctx.log().warn("the plugin's export is " + c.size() + " bytes; the LU ends at the last whole block, " + size);
        }
        BlockDevice.Builder b = ctx.block().device(ctx.params().string("name")).size(size).logicalBlockSize(SECTOR)
                .capabilities(capabilities(c.capabilities()));
        if (c.capabilities().extents()) {
            b.extents(this::extents);
        }
        return b.registerQueue(this::submit);
    }

    /** What the plugin says it can do, as the block layer's capabilities; the host emulates the rest. */
    private static int capabilities(Capabilities caps) {
        return (caps.write() ? 0 : BlockDevice.READ_ONLY) | (caps.flush() ? BlockDevice.FLUSH : 0)
                | (caps.fua() != Capabilities.Fua.NONE ? BlockDevice.FUA : 0) | (caps.trim() ? BlockDevice.DISCARD : 0)
                | (caps.zero() ? BlockDevice.WRITE_ZEROES : 0) | (caps.fastZero() ? BlockDevice.FAST_ZERO : 0)
                | (caps.rotational() ? BlockDevice.ROTATIONAL : 0);
    }

    /** Each request through the connection, in batch order; the environment applies the plugin's thread model. */
    private void submit(BlockBatch batch) {
        for (int i = 0, n = batch.size(); i < n; i++) {
            BlockRequest r = batch.get(i);
            r.complete(serve(r));
        }
    }

    private int serve(BlockRequest r) {
        int fua = (r.flags() & BlockRequest.FUA) != 0 ? PluginConnection.FUA : 0;
        try {
            switch (r.op()) {
                case READ -> {
                    if (r.data().isNative()) {
                        connection.pread(r.data(), r.offset());
                    } else {
                        try (Arena bounce = Arena.ofConfined()) { // the plugin's C takes addresses; a heap buffer has none
                            MemorySegment b = bounce.allocate(r.length(), 4096);
                            connection.pread(b, r.offset());
                            r.data().copyFrom(b);
                        }
                    }
                }
                case WRITE -> {
                    if (r.data().isNative()) {
                        connection.pwrite(r.data(), r.offset(), fua);
                    } else {
                        try (Arena bounce = Arena.ofConfined()) {
                            connection.pwrite(bounce.allocate(r.length(), 4096).copyFrom(r.data()), r.offset(), fua);
                        }
                    }
                }
                case FLUSH -> connection.flush();
                case DISCARD -> connection.trim(r.offset(), r.length(), fua);
                case WRITE_ZEROES -> connection.zero(r.offset(), r.length(), fua
                        | ((r.flags() & BlockRequest.NO_UNMAP) != 0 ? 0 : PluginConnection.MAY_TRIM)
                        | ((r.flags() & BlockRequest.FAST_ZERO) != 0 ? PluginConnection.FAST_ZERO : 0));
            }
            return BlockStatus.OK;
        } catch (NbdkitException e) {
            return status(e); // the plugin's own text is in the log already
        }
    }

    /** The plugin's extents, clipped to the range asked for (a plugin may answer beyond it). */
    private int extents(long offset, long length, BlockExtents.Runs out) {
        try {
            long end = offset + length;
            long pos = offset;
            for (Extent e : connection.extents(offset, length, 0)) {
                long runEnd = Math.min(end, e.offset() + e.length());
                if (e.offset() > pos || runEnd <= pos) {
                    continue; // not contiguous from where the answer stands, or already covered
                }
                out.add(runEnd - pos, (e.hole() ? BlockExtents.HOLE : 0) | (e.zero() ? BlockExtents.ZERO : 0));
                pos = runEnd;
                if (pos == end) {
                    break;
                }
            }
            return BlockStatus.OK;
        } catch (NbdkitException e) {
            return status(e);
        }
    }

    /** The plugin's errno as the request's status; EIO if it gave none a request can carry. */
    private static int status(NbdkitException e) {
        return e.errno() > 0 && e.errno() < 4096 ? e.errno() : BlockStatus.EIO;
    }

    @Override
    public void close() {
        device.remove();
        connection.close();
        plugin.close();
        closeFile(); // after the plugin: it used the descriptor until its unload
    }
}
