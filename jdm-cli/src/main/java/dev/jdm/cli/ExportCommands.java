package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.NbdExportAddCall;
import dev.jdm.gate.proto.NbdExportEntry;
import dev.jdm.gate.proto.NbdExportListCall;
import dev.jdm.gate.proto.NbdExportListReply;
import dev.jdm.gate.proto.NbdExportRemoveCall;
import dev.jdm.gate.proto.Request;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm export add|rm|ls}: the NBD server's exports. */
@Command(name = "export", description = "Export block devices over NBD, and list or remove exports.",
        subcommands = {ExportCommands.Add.class, ExportCommands.Rm.class, ExportCommands.Ls.class})
final class ExportCommands implements GateParent {
    @ParentCommand JdmCommand root;

    @Override
    public JdmCommand root() {
        return root;
    }

    @Command(name = "add", description = "Export a device over NBD (with --memory, a new in-memory device).")
    static class Add implements Callable<Integer> {
        @ParentCommand GateParent parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DEVICE") String device;
        @Option(names = "--name", paramLabel = "EXPORT", description = "export name (default: the device's name)") String name = "";
        @Option(names = {"-r", "--read-only"}, description = "refuse writes") boolean readOnly;
        @Option(names = "--memory", paramLabel = "SIZE", description = "create DEVICE as an in-memory device of SIZE (e.g. 64M) first") String memory = "";

        @Override
        public Integer call() {
            NbdExportEntry e;
            try (GateClient gate = parent.root().connect()) {
                e = gate.call(Request.newBuilder().setNbdExportAdd(NbdExportAddCall.newBuilder().setDevice(device).setName(name)
                        .setReadOnly(readOnly).setMemorySize(memory))).getNbdExport().getExport();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(e.getName() + ": exported" + (e.getReadOnly() ? " read-only" : ""));
            e.getUrisList().forEach(u -> out.println("  " + u));
            out.flush();
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove an export (the device stays).")
    static class Rm implements Callable<Integer> {
        @ParentCommand GateParent parent;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "EXPORT") String name;
        @Option(names = {"-f", "--force"}, description = "close connections that use it") boolean force;

        @Override
        public Integer call() {
            try (GateClient gate = parent.root().connect()) {
                gate.call(Request.newBuilder().setNbdExportRemove(NbdExportRemoveCall.newBuilder().setName(name).setForce(force)));
            }
            spec.commandLine().getOut().println(name + ": removed");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "ls", description = "List exports: name, device, size, mode, connections, URIs.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand GateParent parent;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            NbdExportListReply r;
            try (GateClient gate = parent.root().connect()) {
                r = gate.call(Request.newBuilder().setNbdExportList(NbdExportListCall.getDefaultInstance())).getNbdExports();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> list = new ArrayList<>();
                for (NbdExportEntry e : r.getExportsList()) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("name", e.getName());
                    o.put("device", e.getDevice());
                    o.put("size", e.getSize());
                    o.put("read_only", e.getReadOnly());
                    o.put("connections", e.getConnections());
                    o.put("uris", e.getUrisList());
                    list.add(o);
                }
                JdmCommand.printJson(out, Map.of("socket", r.getSocket(), "tcp", r.getTcp(), "exports", list));
                return 0;
            }
            out.printf("%-16s %-16s %14s %-4s %5s  %s%n", "Export", "Device", "Size", "Mode", "Conns", "URI");
            for (NbdExportEntry e : r.getExportsList()) {
                out.printf("%-16s %-16s %14d %-4s %5d  %s%n", e.getName(), e.getDevice(), e.getSize(), e.getReadOnly() ? "ro" : "rw",
                        e.getConnections(), e.getUrisCount() == 0 ? "(no listener)" : e.getUris(0));
                for (int i = 1; i < e.getUrisCount(); i++) {
                    out.printf("%-16s %-16s %14s %-4s %5s  %s%n", "", "", "", "", "", e.getUris(i));
                }
            }
            out.flush();
            return 0;
        }
    }
}
