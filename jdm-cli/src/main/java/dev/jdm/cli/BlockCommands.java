package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.BlkGuardCall;
import dev.jdm.gate.proto.BlkLsCall;
import dev.jdm.gate.proto.BlkLsReply;
import dev.jdm.gate.proto.BlkLu;
import dev.jdm.gate.proto.BlkRescanCall;
import dev.jdm.gate.proto.BlkStat;
import dev.jdm.gate.proto.BlkStatCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.sweep.Sizes;
import dev.jdm.sweep.SweepException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm blk}: the block layer's LUs, their I/O numbers, boot guards and partition tables. */
@Command(name = "blk", description = "Block devices (LUs): list, statistics, boot-area guard, partition rescan.",
        subcommands = {BlockCommands.Ls.class, BlockCommands.Stat.class, BlockCommands.Guard.class, BlockCommands.Rescan.class,
                BlockCommands.Export.class, BlockCommands.Unexport.class})
final class BlockCommands implements GateParent {
    @ParentCommand JdmCommand root;

    @Override
    public JdmCommand root() {
        return root;
    }

    /** {@code jdm blk export LU}: the same as {@code jdm export add}. */
    @Command(name = "export", description = "Export an LU over NBD (the same as jdm export add).")
    static final class Export extends ExportCommands.Add {}

    /** {@code jdm blk unexport EXPORT}: the same as {@code jdm export rm}. */
    @Command(name = "unexport", description = "Remove an NBD export; the LU stays (the same as jdm export rm).")
    static final class Unexport extends ExportCommands.Rm {}

    /** 268435456 → "256 MiB" (the sweeper's formatting, so both commands show sizes alike). */
    static String size(long bytes) {
        return Sizes.human(bytes);
    }

    /** Parses 65536, 0x10000, 64K, 1M; a bad count is a usage error. */
    static long bytes(String text) {
        try {
            return Sizes.parse(text);
        } catch (SweepException e) {
            throw new CliException(CliException.USAGE, e.getMessage());
        }
    }

    static Map<String, Object> row(BlkLu l) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", l.getName());
        row.put("module", l.getModule());
        row.put("size", l.getSize());
        row.put("logical_block_size", l.getLogicalBlockSize());
        row.put("physical_block_size", l.getPhysicalBlockSize());
        row.put("boot_guard", l.getBootGuard());
        row.put("disk", l.getDisk());
        row.put("disk_offset", l.getDiskOffset());
        row.put("table", l.getTable());
        row.put("uuid", l.getUuid());
        row.put("label", l.getLabel());
        row.put("part_type", l.getPartType());
        row.put("read_only", l.getReadOnly());
        row.put("capabilities", l.getCapabilitiesList());
        row.put("open_count", l.getOpenCount());
        row.put("holders", l.getHoldersList());
        return row;
    }

    static void table(PrintWriter out, List<BlkLu> lus) {
        out.printf("%-12s %10s  %-9s %-10s %-5s %-3s %-5s %s%n", "NAME", "SIZE", "BLOCKS", "GUARD", "TABLE", "RO", "OPEN", "MODULE");
        for (BlkLu l : lus) {
            String table = l.getDisk().isEmpty() ? l.getTable() : "part";
            String open = l.getOpenCount() + (l.getHoldersCount() == 0 ? "" : " " + String.join(",", l.getHoldersList()));
            out.printf("%-12s %10s  %-9s %-10s %-5s %-3s %-5s %s%n", l.getName(), size(l.getSize()),
                    l.getLogicalBlockSize() + "/" + l.getPhysicalBlockSize(), "0x" + Long.toHexString(l.getBootGuard()), table,
                    l.getReadOnly() ? "ro" : "rw", open, l.getModule());
        }
        out.flush();
    }

    @Command(name = "ls", description = "List LUs: size, block sizes, boot guard, partition table, read-only, open count.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand BlockCommands blk;
        @Spec CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "LU") String name = "";
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            BlkLsReply r;
            try (GateClient gate = blk.root.connect()) {
                r = gate.call(Request.newBuilder().setBlkLs(BlkLsCall.newBuilder().setName(name))).getBlkLs();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                r.getLusList().forEach(l -> rows.add(row(l)));
                JdmCommand.printJson(out, rows);
            } else {
                table(out, r.getLusList());
            }
            return 0;
        }
    }

    @Command(name = "stat", description = "I/O statistics per LU: operations, bytes, in flight, latency p50/p99.")
    static final class Stat implements Callable<Integer> {
        @ParentCommand BlockCommands blk;
        @Spec CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "LU") String name = "";
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            List<BlkStat> stats;
            try (GateClient gate = blk.root.connect()) {
                stats = gate.call(Request.newBuilder().setBlkStat(BlkStatCall.newBuilder().setName(name))).getBlkStat().getStatsList();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (BlkStat s : stats) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    // every field, zeros too: getAllFields() would leave out those at their default (0 writes, 0 errors)
                    s.getDescriptorForType().getFields().forEach(f -> row.put(f.getName(), s.getField(f)));
                    rows.add(row);
                }
                JdmCommand.printJson(out, rows);
                return 0;
            }
            out.printf("%-12s %9s %10s %9s %10s %7s %7s %6s %7s %6s %9s %9s%n", "NAME", "READS", "READ", "WRITES", "WRITTEN",
                    "FLUSHES", "ZEROES", "ERRORS", "MERGED", "INFL", "P50", "P99");
            for (BlkStat s : stats) {
                out.printf("%-12s %9d %10s %9d %10s %7d %7d %6d %7d %6d %9s %9s%n", s.getName(), s.getReads(), size(s.getReadBytes()),
                        s.getWrites(), size(s.getWriteBytes()), s.getFlushes(), s.getZeroes(), s.getErrors(), s.getMerged(),
                        s.getInFlight(), micros(s.getP50Nanos()), micros(s.getP99Nanos()));
            }
            out.flush();
            return 0;
        }

        static String micros(long nanos) {
            return String.format(Locale.ROOT, "%.1fus", nanos / 1000.0);
        }
    }

    @Command(name = "guard", description = "Set a whole device's boot-area guard: writes below BYTES are refused (0 allows writing the partition table). Privileged and logged.")
    static final class Guard implements Callable<Integer> {
        @ParentCommand BlockCommands blk;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "LU") String name;
        @Parameters(index = "1", paramLabel = "BYTES", description = "e.g. 0, 65536, 0x10000, 64K") String bytes;

        @Override
        public Integer call() {
            long n = bytes(bytes);
            try (GateClient gate = blk.root.connect()) {
                BlkLu l = gate.call(Request.newBuilder().setBlkGuard(BlkGuardCall.newBuilder().setName(name).setBytes(n))).getBlkLs().getLus(0);
                spec.commandLine().getOut().println(l.getName() + ": boot guard 0x" + Long.toHexString(l.getBootGuard()));
            }
            return 0;
        }
    }

    @Command(name = "rescan", description = "Read a whole device's partition table again and recreate its partition LUs.")
    static final class Rescan implements Callable<Integer> {
        @ParentCommand BlockCommands blk;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "LU") String name;

        @Override
        public Integer call() {
            BlkLsReply r;
            try (GateClient gate = blk.root.connect()) {
                r = gate.call(Request.newBuilder().setBlkRescan(BlkRescanCall.newBuilder().setName(name))).getBlkLs();
            }
            PrintWriter out = spec.commandLine().getOut();
            table(out, r.getLusList());
            r.getProblemsList().forEach(p -> out.println("problem: " + p));
            out.flush();
            return 0;
        }
    }
}
