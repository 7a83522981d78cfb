package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.host.HostException;
import dev.jdm.host.HostException.Code;
import dev.jdm.host.block.part.PartitionTable;
import dev.jdm.host.gate.proto.BlkLsReply;
import dev.jdm.host.gate.proto.BlkLu;
import dev.jdm.host.gate.proto.BlkStat;
import dev.jdm.host.gate.proto.BlkStatReply;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.task.Task;
import java.util.List;

/** The call gate's block calls: {@code jdm blk ls|stat|guard|rescan}. */
public final class BlockCalls {
    private final BlockRegistry registry;

    public BlockCalls(BlockRegistry registry) {
        this.registry = registry;
    }

    public BlkLsReply ls(String name) {
        List<LuInfo> lus = name.isEmpty() ? registry.list()
                : List.of(registry.find(name).orElseThrow(() -> new HostException(Code.ENOENT, "blk: no LU named " + name + " (see jdm blk ls)")));
        return BlkLsReply.newBuilder().addAllLus(lus.stream().map(BlockCalls::lu).toList()).build();
    }

    public BlkStatReply stat(String name) {
        List<String> names = name.isEmpty() ? registry.list().stream().map(LuInfo::name).toList() : List.of(name);
        BlkStatReply.Builder b = BlkStatReply.newBuilder();
        for (String n : names) {
            IoStats.Snapshot s = registry.stats(n);
            b.addStats(BlkStat.newBuilder().setName(n)
                    .setReads(s.ops(BlockOp.READ)).setReadBytes(s.bytes(BlockOp.READ))
                    .setWrites(s.ops(BlockOp.WRITE)).setWriteBytes(s.bytes(BlockOp.WRITE))
                    .setFlushes(s.ops(BlockOp.FLUSH))
                    .setZeroes(s.ops(BlockOp.WRITE_ZEROES)).setZeroedBytes(s.bytes(BlockOp.WRITE_ZEROES))
                    .setDiscards(s.ops(BlockOp.DISCARD)).setDiscardedBytes(s.bytes(BlockOp.DISCARD))
                    .setErrors(s.errors()).setMerged(s.merged()).setInFlight(s.inFlight())
                    .setP50Nanos(s.p50Nanos()).setP99Nanos(s.p99Nanos()));
        }
        return b.build();
    }

    /** Changing the guard is privileged: root or the user the host runs as. */
    public BlkLsReply guard(Task task, String name, long bytes) {
        int uid = task.credentials().uid();
        if (uid != 0 && uid != Libc.getuid()) {
            throw new HostException(Code.EPERM, "blk guard " + name + ": only root or the host's user (uid " + Libc.getuid()
                    + ") may change a boot guard; you are uid " + uid);
        }
        LuInfo lu = registry.setBootGuard(name, bytes, "uid " + uid + " (" + task.name() + ")");
        return BlkLsReply.newBuilder().addLus(lu(lu)).build();
    }

    public BlkLsReply rescan(String name) {
        PartitionTable t = registry.rescan(name);
        BlkLsReply.Builder b = BlkLsReply.newBuilder().addAllProblems(t.problems());
        registry.list().stream().filter(l -> l.name().equals(name) || l.disk().equals(name)).forEach(l -> b.addLus(lu(l)));
        return b.build();
    }

    static BlkLu lu(LuInfo l) {
        return BlkLu.newBuilder().setName(l.name()).setModule(l.module()).setSize(l.size()).setLogicalBlockSize(l.logicalBlockSize())
                .setPhysicalBlockSize(l.physicalBlockSize()).addAllCapabilities(l.capabilityNames()).setBootGuard(l.bootGuard())
                .setDisk(l.disk()).setDiskOffset(l.diskOffset()).setTable(l.tableType()).setUuid(l.uuid()).setLabel(l.label())
                .setPartType(l.partType()).setOpenCount(l.openCount()).addAllHolders(l.holders().keySet()).setReadOnly(l.readOnly()).build();
    }
}
