package dev.jdm.host.block;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockDriver;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.grant.Grants;
import dev.jdm.host.module.AbiAdapters;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.host.log.LogRing;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The block layer as one module sees it. It remembers what the module registered, so that
 * {@link #close} (when the module goes) can remove and report what the module left behind. Grants
 * are the grant service's; this layer only hands them out.
 */
public final class ModuleBlockLayer implements BlockLayer, AbiAdapters, AutoCloseable {
    private final BlockRegistry registry;
    private final ModuleSite site;
    private final String module;
    private final LogRing log;
    private final List<LogicalUnit> registered = new ArrayList<>();
    private final Set<String> adapters = new ConcurrentSkipListSet<>();

    ModuleBlockLayer(BlockRegistry registry, ModuleSite site, LogRing log) {
        this.registry = registry;
        this.site = site;
        this.module = site.name();
        this.log = log;
    }

    @Override
    public BlockDevice.Builder device(String name) {
        return new Builder(name);
    }

    @Override
    public Grants grants() {
        return site.face(Grants.class);
    }

    @Override
    public Set<String> adapters() {
        return Set.copyOf(adapters);
    }

    /** Removes the LUs the module left registered. */
    @Override
    public void close() {
        List<LogicalUnit> left;
        synchronized (registered) {
            left = registered.stream().filter(lu -> !lu.removed).toList();
            registered.clear();
        }
        for (LogicalUnit lu : left) {
            log.append(LogLevel.WARNING, "blk", module + ": left LU " + lu.name + " registered; removed");
            registry.remove(lu);
        }
    }

    private final class Builder extends LuBuilder {
        Builder(String name) {
            super(module, name);
        }

        @Override
        public BlockDevice register(BlockDriver driver) {
            if (driver == null) {
                throw new IllegalArgumentException(module + ": LU " + name + ": no driver");
            }
            BlockQueueDriver served = new BlockDriverAdapter(driver, name, m -> log.append(LogLevel.WARNING, "blk", m));
            BlockDevice device = registerQueue(served);
            adapters.add(BlockDriverAdapter.DESCRIPTION);
            return device;
        }

        @Override
        public BlockDevice registerQueue(BlockQueueDriver driver) {
            String what = module + ": LU " + name + ": ";
            if (lbs != 512 && lbs != 1024 && lbs != 2048 && lbs != 4096) {
                throw new IllegalArgumentException(what + "logical block size " + lbs + " is not 512, 1024, 2048 or 4096");
            }
            int physical = pbs == 0 ? lbs : pbs;
            if (Integer.bitCount(physical) != 1 || physical < lbs || physical > (1 << 20)) {
                throw new IllegalArgumentException(what + "physical block size " + physical + " is not a power of two from " + lbs + " to 1 MiB");
            }
            if (size <= 0 || size % lbs != 0) {
                throw new IllegalArgumentException(what + "size " + size + " is not a positive multiple of " + lbs);
            }
            if (guard < 0) {
                throw new IllegalArgumentException(what + "boot guard " + guard + " is negative");
            }
            if (caps < 0 || caps >= (BlockDevice.ROTATIONAL << 1)) {
                throw new IllegalArgumentException(what + "unknown capability bits 0x" + Integer.toHexString(caps));
            }
            if (driver == null) {
                throw new IllegalArgumentException(what + "no driver");
            }
            LogicalUnit lu = registry.register(site, new LogicalUnit.Geometry(name, size, lbs, physical, caps, guard), driver, extents);
            synchronized (registered) {
                registered.add(lu);
            }
            return new Device(lu);
        }
    }

    private final class Device implements BlockDevice {
        private final LogicalUnit lu;

        Device(LogicalUnit lu) {
            this.lu = lu;
        }

        @Override
        public String name() {
            return lu.name;
        }

        @Override
        public long size() {
            return lu.size;
        }

        @Override
        public long bootGuard() {
            return lu.bootGuard.get();
        }

        @Override
        public void bootGuard(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException(module + ": LU " + lu.name + ": boot guard " + bytes + " is negative");
            }
            registry.setBootGuard(lu.name, Math.min(bytes, lu.size), "module " + module);
        }

        @Override
        public void remove() {
            registry.remove(lu);
        }
    }
}
