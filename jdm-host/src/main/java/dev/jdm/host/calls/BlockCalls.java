package dev.jdm.host.calls;

import dev.jdm.abi.blk.BlockOp;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.block.IoStats;
import dev.jdm.host.block.LuInfo;
import dev.jdm.host.block.part.PartitionTable;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.gate.proto.BlkLsReply;
import dev.jdm.gate.proto.BlkLu;
import dev.jdm.gate.proto.BlkStat;
import dev.jdm.gate.proto.BlkStatReply;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The call gate's block calls: {@code jdm blk ls|stat|guard|rescan}. */
public final class BlockCalls implements CallHandler {
    private final BlockRegistry registry;
    private final Privilege privilege;

    public BlockCalls(BlockRegistry registry, Privilege privilege) {
        this.registry = registry;
        this.privilege = privilege;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.BLK_LS, 1, Request.CallCase.BLK_STAT, 1, Request.CallCase.BLK_GUARD, 1, Request.CallCase.BLK_RESCAN, 1);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case BLK_LS -> r.setBlkLs(ls(request.getBlkLs().getName()));
            case BLK_STAT -> r.setBlkStat(stat(request.getBlkStat().getName()));
            case BLK_GUARD -> r.setBlkLs(guard(task, request.getBlkGuard().getName(), request.getBlkGuard().getBytes()));
            case BLK_RESCAN -> r.setBlkLs(rescan(request.getBlkRescan().getName()));
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a block call");
        }
        out.send(r.build());
    }

    public BlkLsReply ls(String name) {
        List<LuInfo> lus = name.isEmpty() ? registry.list()
                : List.of(registry.find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "blk: no LU named " + name + " (see jdm blk ls)")));
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

    /** Changing the guard is privileged: the security stack decides, as for the setting {@code blk.LU.boot_guard}. */
    public BlkLsReply guard(Task task, String name, long bytes) {
        LuInfo current = registry.find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "blk: no LU named " + name + " (see jdm blk ls)"));
        privilege.check(task, new SysctlWrite("blk." + name + ".boot_guard", Long.toString(current.bootGuard()), Long.toString(bytes)));
        LuInfo lu = registry.setBootGuard(name, bytes, "uid " + task.credentials().uid() + " (" + task.name() + ")");
        return BlkLsReply.newBuilder().addLus(lu(lu)).build();
    }

    public BlkLsReply rescan(String name) {
        PartitionTable t = registry.rescan(name);
        BlkLsReply.Builder b = BlkLsReply.newBuilder().addAllProblems(t.problems());
        registry.list().stream().filter(l -> l.name().equals(name) || l.disk().equals(name)).forEach(l -> b.addLus(lu(l)));
        return b.build();
    }

    /** An LU as the gate describes it. */
    static BlkLu lu(LuInfo l) {
        return BlkLu.newBuilder().setName(l.name()).setModule(l.module()).setSize(l.size()).setLogicalBlockSize(l.logicalBlockSize())
                .setPhysicalBlockSize(l.physicalBlockSize()).addAllCapabilities(l.capabilityNames()).setBootGuard(l.bootGuard())
                .setDisk(l.disk()).setDiskOffset(l.diskOffset()).setTable(l.tableType()).setUuid(l.uuid()).setLabel(l.label())
                .setPartType(l.partType()).setOpenCount(l.openCount()).addAllHolders(l.holders().keySet()).setReadOnly(l.readOnly()).build();
    }
}
