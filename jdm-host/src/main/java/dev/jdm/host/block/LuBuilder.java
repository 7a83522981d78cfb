package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import java.util.regex.Pattern;

/**
 * What {@code BlockLayer.device(name)} gathers before a driver registers: the LU's name and
 * geometry, with the ABI's defaults. Shared by the host's block layer and the one a module sees in
 * an isolated domain, which differ only in what {@code register} does with them.
 */
public abstract class LuBuilder implements BlockDevice.Builder {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{0,31}[a-z0-9]");

    protected final String name;
    protected long size = -1;
    protected int lbs = 512;
    protected int pbs;
    protected int caps;
    protected long guard = BlockDevice.DEFAULT_BOOT_GUARD;
    protected BlockExtents extents;

    /** @throws IllegalArgumentException naming {@code module} if {@code name} is not an LU name */
    protected LuBuilder(String module, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(module + ": LU name \"" + name + "\" is not 1-32 of [a-z0-9_-] ending in a letter or digit");
        }
        this.name = name;
    }

    @Override
    public final BlockDevice.Builder size(long bytes) {
        size = bytes;
        return this;
    }

    @Override
    public final BlockDevice.Builder logicalBlockSize(int bytes) {
        lbs = bytes;
        return this;
    }

    @Override
    public final BlockDevice.Builder physicalBlockSize(int bytes) {
        pbs = bytes;
        return this;
    }

    @Override
    public final BlockDevice.Builder capabilities(int flags) {
        caps = flags;
        return this;
    }

    @Override
    public final BlockDevice.Builder bootGuard(long bytes) {
        guard = bytes;
        return this;
    }

    @Override
    public final BlockDevice.Builder extents(BlockExtents source) {
        extents = source;
        return this;
    }
}
