package dev.jdm.host.block;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.host.module.ModulePin;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.block.part.Partition;
import dev.jdm.host.block.part.PartitionScanner;
import dev.jdm.host.block.part.PartitionTable;
import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The host's block layer: every LU by name, registration by drivers, partition scanning, the
 * boot-area guard, and the facade other host subsystems use ({@link #list}, {@link #find},
 * {@link #open}). Opening an LU pins the very module that registered it ({@link ModuleSite#pin}).
 */
public final class BlockRegistry {

    /** How long a scan or a removal waits for the driver. */
    static final long IO_WAIT_MS = 5_000;
    /** Blocks at each end of a disk holding partition tables: MBR + GPT header + 128 entries of 128 bytes. */
    static final int TABLE_BLOCKS = 34;

    private final LogRing log;
    private final Map<String, LogicalUnit> units = new ConcurrentSkipListMap<>();
    private final Map<String, AtomicBoolean> rescanPending = new java.util.concurrent.ConcurrentHashMap<>();

    public BlockRegistry(LogRing log) {
        this.log = log;
    }

    /** Linux's default io_timeout: 30 s. */
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    private volatile java.util.function.LongSupplier requestTimeoutMs = () -> DEFAULT_REQUEST_TIMEOUT_MS;

    /** Where LUs registered from now on read their request timeout (the sysctl {@code blk.request_timeout_ms}). */
    public void setRequestTimeout(java.util.function.LongSupplier ms) {
        requestTimeoutMs = ms;
    }

    /** The block layer a module sees through {@code ModuleContext.block()}. */
    ModuleBlockLayer forModule(ModuleSite site) {
        return new ModuleBlockLayer(this, site, log);
    }

    /** The service through which the module manager gives each module its block layer. */
    public dev.jdm.host.module.ModuleService<BlockLayer> moduleService() {
        return new BlockService(this);
    }

    /**
     * A block layer for code that embeds the registry without a module manager (benchmarks,
     * tools): its LUs pin nothing, and it has no grants.
     */
    public BlockLayer forEmbedder(String name) {
        return forModule(new EmbedderSite(name));
    }

    // ---- the facade ----

    /** All LUs, by name. */
    public List<LuInfo> list() {
        return units.values().stream().map(this::info).toList();
    }

    /** One LU. */
    public Optional<LuInfo> find(String name) {
        return Optional.ofNullable(units.get(name)).map(this::info);
    }

    /**
     * Opens an LU for I/O on behalf of {@code holder} (a short name such as {@code nbd}); pins its
     * driver module until the handle is closed.
     *
     * @throws HostException ENOENT if there is no such LU
     */
    public LuHandle open(String name, String holder) {
        return open(name, holder, BlockAccess.HOST, true);
    }

    /**
     * Opens an LU for a task: {@code access} checks the open ({@code dev_open}, for writing if
     * {@code write}) and then every request ({@code blk_io}).
     *
     * @throws HostException ENOENT for an unknown LU, EACCES or EPERM if the open is refused
     */
    public LuHandle open(String name, String holder, BlockAccess access, boolean write) {
        LogicalUnit lu = lu(name);
        access.checkOpen(info(lu), write);
        ModulePin pin = lu.owner.pin();
        lu.open(holder);
        if (lu.removed) {
            lu.close(holder);
            pin.close();
            throw new HostException(Errno.ENOENT, "blk: " + name + " was removed");
        }
        return new LuHandle(this, lu, holder, access, pin);
    }

    /** Logs a request that a task's access refused; the refusal's own audit is the security stack's. */
    void refused(LogicalUnit lu, String holder, BlockOp op, long offset, long length, String reason) {
        log.append(LogLevel.NOTICE, "blk", lu.name + ": " + op.name().toLowerCase(java.util.Locale.ROOT) + " at " + offset + "+" + length
                + " by " + holder + " refused: " + reason);
    }

    void release(LogicalUnit lu, String holder, ModulePin pin) {
        lu.close(holder);
        pin.close();
    }

    /** I/O numbers of one LU. */
    public IoStats.Snapshot stats(String name) {
        return lu(name).stats.snapshot();
    }

    /**
     * Sets a whole device's boot-area guard: the privileged act of making its first bytes
     * (where the partition table lives) writable. The caller checks privilege; this logs it.
     *
     * @throws HostException ENOENT, or EINVAL for a partition or a bad value
     */
    public LuInfo setBootGuard(String name, long bytes, String who) {
        LogicalUnit lu = lu(name);
        if (lu.isPartition()) {
            throw new HostException(Errno.EINVAL, "blk guard: " + name + " is a partition; the guard belongs to its disk " + lu.disk.name);
        }
        if (bytes < 0 || bytes > lu.size) {
            throw new HostException(Errno.EINVAL, "blk guard: " + bytes + " is outside 0.." + lu.size + " (the size of " + name + ")");
        }
        long old = lu.bootGuard.getAndSet(bytes);
        log.append(LogLevel.NOTICE, "blk", name + ": boot guard 0x" + Long.toHexString(old) + " -> 0x" + Long.toHexString(bytes) + " by " + who);
        return info(lu);
    }

    /**
     * Reads a whole device's partition table again and replaces its partition LUs.
     *
     * @throws HostException ENOENT, EINVAL for a partition, EBUSY if one of its partitions is open
     */
    public PartitionTable rescan(String name) {
        LogicalUnit lu = lu(name);
        if (lu.isPartition()) {
            throw new HostException(Errno.EINVAL, "blk rescan: " + name + " is a partition; rescan its disk " + lu.disk.name);
        }
        return scan(lu);
    }

    // ---- registration (from ModuleBlockLayer) ----

    LogicalUnit register(ModuleSite owner, LogicalUnit.Geometry g, BlockQueueDriver driver, dev.jdm.abi.blk.BlockExtents extents) {
        String module = owner.name();
        String name = g.name();
        long size = g.size();
        long guard = g.guard();
        Consumer<String> warn = m -> log.append(LogLevel.WARNING, "blk", m);
        LogicalUnit[] self = new LogicalUnit[1];
        LogicalUnit lu = new LogicalUnit(owner, g, driver, extents, requestTimeoutMs, warn, (off, len) -> tableWritten(self[0], off, len));
        self[0] = lu;
        if (units.putIfAbsent(name, lu) != null) {
            throw new IllegalStateException("an LU named " + name + " exists already");
        }
        log.append(LogLevel.INFO, "blk", name + ": registered by " + module + ", " + size + " bytes, blocks " + g.lbs() + "/" + g.pbs()
                + ", boot guard 0x" + Long.toHexString(guard));
        scan(lu);
        return lu;
    }

    void remove(LogicalUnit lu) {
        if (lu.removed) {
            return;
        }
        for (LogicalUnit p : partitionsOf(lu)) {
            p.removed = true;
            units.remove(p.name, p);
        }
        lu.removed = true;
        units.remove(lu.name, lu);
        if (!lu.queue.drain(IO_WAIT_MS)) {
            log.append(LogLevel.WARNING, "blk", lu.name + ": removed with requests still in flight after " + IO_WAIT_MS + " ms");
        }
        log.append(LogLevel.INFO, "blk", lu.name + ": removed");
    }

    // ---- partitions ----

    private List<LogicalUnit> partitionsOf(LogicalUnit disk) {
        return units.values().stream().filter(u -> u.disk == disk).toList();
    }

    private synchronized PartitionTable scan(LogicalUnit disk) {
        List<LogicalUnit> old = partitionsOf(disk);
        List<String> busy = old.stream().filter(p -> p.openCount() > 0).map(p -> p.name).toList();
        if (!busy.isEmpty()) {
            throw new HostException(Errno.EBUSY, "blk rescan: " + disk.name + " has open partitions " + busy + "; close them first");
        }
        PartitionTable t = PartitionScanner.scan((off, len) -> read(disk, off, len), disk.size, disk.logicalBlockSize);
        for (LogicalUnit p : old) {
            p.removed = true;
            units.remove(p.name, p);
        }
        disk.table = t;
        t.problems().forEach(m -> log.append(LogLevel.WARNING, "blk", disk.name + ": partition table: " + m));
        List<String> names = new ArrayList<>();
        for (Partition p : t.partitions()) {
            String pname = disk.name + (Character.isDigit(disk.name.charAt(disk.name.length() - 1)) ? "p" : "") + p.number();
            if (units.containsKey(pname)) {
                log.append(LogLevel.WARNING, "blk", disk.name + ": partition name " + pname + " is taken; partition " + p.number() + " not created");
                continue;
            }
            units.put(pname, new LogicalUnit(pname, disk, p));
            names.add(pname);
        }
        if (!t.type().equals("none") || !old.isEmpty()) {
            log.append(LogLevel.INFO, "blk", disk.name + ": " + t.type() + (names.isEmpty() ? ", no partitions" : " " + String.join(" ", names)));
        }
        return t;
    }

    private byte[] read(LogicalUnit disk, long offset, int length) throws IOException {
        byte[] out = new byte[length];
        MemorySegment buf = Buffers.allocate(length);
        java.util.concurrent.CompletableFuture<Integer> f = new java.util.concurrent.CompletableFuture<>();
        disk.queue.submit(BlockOp.READ, offset, length, 0, buf, f::complete);
        int st;
        try {
            st = f.get(IO_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("no answer from the driver within " + IO_WAIT_MS + " ms");
        }
        if (st != BlockStatus.OK) {
            throw new IOException("read at " + offset + " failed: " + BlockStatus.name(st));
        }
        MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0, length);
        return out;
    }

    /**
     * A write landed on the disk: if it touched the table areas (the first or last
     * {@link #TABLE_BLOCKS} blocks), rescan once it settles, unless partitions are open.
     */
    private void tableWritten(LogicalUnit disk, long offset, long length) {
        long head = (long) TABLE_BLOCKS * disk.logicalBlockSize;
        boolean touches = offset < head || offset + length > disk.size - head;
        if (!touches || disk.removed) {
            return;
        }
        AtomicBoolean pending = rescanPending.computeIfAbsent(disk.name, k -> new AtomicBoolean());
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("rescan-" + disk.name).start(() -> {
            try {
                Thread.sleep(20); // let a burst of table writes finish
                pending.set(false);
                if (!disk.removed) {
                    scan(disk);
                }
            } catch (HostException e) {
                log.append(LogLevel.NOTICE, "blk", disk.name + ": table changed but not rescanned: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    // ---- helpers ----

    LogicalUnit lu(String name) {
        LogicalUnit lu = units.get(name);
        if (lu == null) {
            throw new HostException(Errno.ENOENT, "blk: no LU named " + name + " (see jdm blk ls)");
        }
        return lu;
    }

    LuInfo info(LogicalUnit lu) {
        if (lu.isPartition()) {
            Partition p = lu.partition;
            return new LuInfo(lu.name, lu.module, lu.size, lu.logicalBlockSize, lu.physicalBlockSize, lu.caps, lu.effectiveGuard(),
                    lu.disk.name, p.start(), "", p.uuid(), p.label(), p.type(), lu.holders());
        }
        PartitionTable t = lu.table;
        return new LuInfo(lu.name, lu.module, lu.size, lu.logicalBlockSize, lu.physicalBlockSize, lu.caps, lu.bootGuard.get(),
                "", 0, t == null ? "none" : t.type(), t == null ? "" : t.diskId(), "", "", lu.holders());
    }
}
