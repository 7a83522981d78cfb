package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.client.LsmodClient;
import com.google.protobuf.ByteString;
import dev.jdm.gate.proto.DepmodCall;
import dev.jdm.gate.proto.DepmodReply;
import dev.jdm.gate.proto.InsmodCall;
import dev.jdm.gate.proto.ModinfoCall;
import dev.jdm.gate.proto.ModinfoField;
import dev.jdm.gate.proto.ModinfoReply;
import dev.jdm.gate.proto.ModprobeCall;
import dev.jdm.gate.proto.ModprobeReply;
import dev.jdm.gate.proto.ModuleEntry;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.RmmodCall;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The module commands: insmod, rmmod, lsmod, modinfo, modprobe, depmod. */
final class ModuleCommands {
    private ModuleCommands() {}

    /** Parses {@code key=value} parameters. */
    static Map<String, String> params(List<String> words) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new CliException(CliException.USAGE, "parameter \"" + w + "\" is not name=value");
            }
            out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }

    @Command(name = "insmod", description = "Load a module file (its dependencies come from the module directories).")
    static final class Insmod implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "FILE.jar") Path file;
        @Parameters(index = "1..*", paramLabel = "name=value") List<String> params = new ArrayList<>();
        @Option(names = {"-f", "--force"}, description = "load despite fingerprint mismatches (taints the host: F)") boolean force;
        @Option(names = "--domain", paramLabel = "isolated[:NAME]",
                description = "where the module runs: colocated (the default) or an isolated domain process") String domain;

        @Override
        public Integer call() {
            byte[] bytes;
            try {
                if (Files.size(file) > dev.jdm.gate.Frames.MAX_FRAME - 4096) {
                    throw new CliException(CliException.USAGE, file + ": larger than a module may be");
                }
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw CliException.unreadable(file, e);
            }
            try (GateClient gate = root.connect()) {
                long upload = JarSender.upload(gate, bytes); // the first answer tells the host's gate version
                if (domain != null && gate.version() < 2) {
                    throw new CliException(CliException.USAGE, "--domain needs gate version 2; this host speaks " + gate.version());
                }
                InsmodCall.Builder call = InsmodCall.newBuilder().setOrigin(file.toAbsolutePath().toString()).putAllParams(params(params))
                        .setForce(force);
                if (domain != null) {
                    call.setDomain(domain);
                }
                var r = gate.call(Request.newBuilder().setInsmod(upload != 0 ? call.setUpload(upload) : call.setJar(ByteString.copyFrom(bytes))));
                ModuleEntry m = r.getModule().getModule();
                spec.commandLine().getOut().println(m.getName() + ": " + m.getState() + (m.getTaint().isEmpty() ? "" : " (taint " + m.getTaint() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "rmmod", description = "Unload a module.")
    static final class Rmmod implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = {"-w", "--wait"}, description = "if busy, unload when the last user goes") boolean wait;
        @Option(names = {"-f", "--force"}, description = "unload even if busy (taints the host: F)") boolean force;

        @Override
        public Integer call() {
            try (GateClient gate = root.connect()) {
                var r = gate.call(Request.newBuilder().setRmmod(RmmodCall.newBuilder().setName(name).setWait(wait).setForce(force)));
                String status = r.getModule().getStatus();
                spec.commandLine().getOut().println(name + ": " + (status.equals("slated") ? "slated; it unloads when its users go" : status));
            }
            return 0;
        }
    }

    @Command(name = "lsmod", description = "List loaded modules.")
    static final class Lsmod implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            return run(root.socket, json, spec.commandLine().getOut());
        }

        /** The whole command, for {@code --socket} (or null), also run without picocli by {@link Main}'s fast path. */
        static int run(Path socket, boolean json, PrintWriter out) {
            // not through JdmCommand: its class initialisation would cost the fast path a third of its time;
            // nor through GateClient: LsmodClient speaks this one call without protobuf's generated classes
            List<LsmodClient.Module> modules = LsmodClient.lsmod(dev.jdm.gate.GateSocket.forClient(socket));
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (LsmodClient.Module m : modules) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("name", m.name());
                    row.put("size", m.size());
                    row.put("refcount", m.refcount());
                    row.put("used_by", m.usedBy());
                    row.put("state", m.state());
                    row.put("slated", m.slated());
                    row.put("taint", m.taint());
                    row.put("origin", m.origin());
                    row.put("domain", m.domain().isEmpty() ? "colocated" : m.domain());
                    rows.add(row);
                }
                JdmCommand.printJson(out, rows);
                return 0;
            }
            out.print(table(modules));
            out.flush();
            return 0;
        }

        /**
         * The listing: {@code "%-19s %8d  %-24s %-5s %s%n"} per row, padded here rather than by
         * {@code java.util.Formatter}, whose first use loads locale data (some 10 ms of a client's
         * start-up); digits are ASCII whatever the locale, as kmod's lsmod prints them.
         */
        static String table(List<LsmodClient.Module> modules) {
            StringBuilder b = new StringBuilder(64 * (modules.size() + 1));
            row(b, "Module", "Size", "Used by", "Taint", "Domain");
            for (LsmodClient.Module m : modules) {
                String usedBy = m.refcount() + (m.usedBy().isEmpty() ? "" : " " + String.join(",", m.usedBy()));
                String state = m.state().equals("live") ? "" : " [" + m.state() + (m.slated() ? ", slated" : "") + "]";
                row(b, m.name(), Long.toString(m.size()), usedBy + state, m.taint(), m.domain().isEmpty() ? "colocated" : m.domain());
            }
            return b.toString();
        }

        private static void row(StringBuilder b, String name, String size, String usedBy, String taint, String domain) {
            pad(b.append(name), 19 - name.length());
            pad(b.append(' '), 8 - size.length()).append(size).append("  ");
            pad(b.append(usedBy), 24 - usedBy.length()).append(' ');
            pad(b.append(taint), 5 - taint.length()).append(' ').append(domain).append(System.lineSeparator());
        }

        private static StringBuilder pad(StringBuilder b, int spaces) {
            for (int i = 0; i < spaces; i++) {
                b.append(' ');
            }
            return b;
        }
    }

    @Command(name = "modinfo", description = "Show a module's information: a loaded or indexed module by name, or a module file (offline).")
    static final class Modinfo implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME|FILE.jar") String target;
        @Option(names = {"-F", "--field"}, paramLabel = "FIELD", description = "print only this field's values") String field;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            String filename;
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            if (target.endsWith(".jar") || Files.isRegularFile(Path.of(target))) {
                Path file = Path.of(target);
                try {
                    JarContents c = JarContents.read(file);
                    byte[] mi = c.metadata().get("modinfo");
                    if (mi == null) {
                        throw new CliException(CliException.USAGE, file + ": no META-INF/jdm/modinfo; not a jdm module");
                    }
                    fields.addAll(ModInfo.parse(mi, file.toString()).entries());
                } catch (SymversException e) {
                    throw new CliException(CliException.USAGE, e.getMessage());
                }
                filename = file.toAbsolutePath().toString();
            } else {
                try (GateClient gate = root.connect()) {
                    ModinfoReply r = gate.call(Request.newBuilder().setModinfo(ModinfoCall.newBuilder().setName(target))).getModinfo();
                    filename = r.getFilename();
                    for (ModinfoField f : r.getFieldsList()) {
                        fields.add(Map.entry(f.getKey(), f.getValue()));
                    }
                }
            }
            print(filename, fields);
            return 0;
        }

        private void print(String filename, List<Map.Entry<String, String>> fields) {
            PrintWriter out = spec.commandLine().getOut();
            List<Map.Entry<String, String>> all = new ArrayList<>();
            all.add(Map.entry("filename", filename));
            all.addAll(merged(fields));
            if (json) {
                Map<String, List<String>> obj = new LinkedHashMap<>();
                all.forEach(e -> obj.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
                JdmCommand.printJson(out, obj);
                return;
            }
            for (var e : all) {
                if (field == null) {
                    out.printf("%-16s%s%n", e.getKey() + ":", e.getValue());
                } else if (e.getKey().equals(field)) {
                    out.println(e.getValue());
                }
            }
            out.flush();
        }

        /** As modinfo does, shows parm with its type: {@code parm: name:description (type)}; parmtype and parmdefault fold in. */
        private static List<Map.Entry<String, String>> merged(List<Map.Entry<String, String>> fields) {
            Map<String, String> types = new LinkedHashMap<>();
            Map<String, String> defaults = new LinkedHashMap<>();
            for (var e : fields) {
                int c = e.getValue().indexOf(':');
                if (c > 0 && e.getKey().equals("parmtype")) {
                    types.put(e.getValue().substring(0, c), e.getValue().substring(c + 1));
                } else if (c > 0 && e.getKey().equals("parmdefault")) {
                    defaults.put(e.getValue().substring(0, c), e.getValue().substring(c + 1));
                }
            }
            List<Map.Entry<String, String>> out = new ArrayList<>();
            for (var e : fields) {
                switch (e.getKey()) {
                    case "parmtype", "parmdefault" -> { }
                    case "parm" -> {
                        String name = e.getValue().substring(0, Math.max(0, e.getValue().indexOf(':')));
                        String extra = " (" + types.getOrDefault(name, "string")
                                + (defaults.getOrDefault(name, "").isEmpty() ? "" : ", default " + defaults.get(name)) + ")";
                        out.add(Map.entry("parm", e.getValue() + extra));
                    }
                    default -> out.add(e);
                }
            }
            return out;
        }
    }

    @Command(name = "modprobe", description = "Load a module by name or alias with its dependencies, or remove one (-r).")
    static final class Modprobe implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NAME|ALIAS") String name;
        @Parameters(index = "1..*", paramLabel = "name=value") List<String> params = new ArrayList<>();
        @Option(names = {"-r", "--remove"}, description = "remove the module and the dependencies nothing else uses") boolean remove;
        @Option(names = {"-n", "--dry-run"}, description = "show what would be loaded") boolean dryRun;

        @Override
        public Integer call() {
            try (GateClient gate = root.connect()) {
                ModprobeReply r = gate.call(Request.newBuilder().setModprobe(ModprobeCall.newBuilder().setName(name)
                        .putAllParams(params(params)).setRemove(remove).setDryRun(dryRun))).getModprobe();
                PrintWriter out = spec.commandLine().getOut();
                if (dryRun) {
                    r.getPlanList().forEach(out::println);
                } else {
                    r.getModulesList().forEach(m -> out.println((remove ? "removed " : "loaded ") + m));
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "depmod", description = "Write modules.dep, modules.alias and modules.symbols into the user modules directory.")
    static final class Depmod implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            try (GateClient gate = root.connect()) {
                DepmodReply r = gate.call(Request.newBuilder().setDepmod(DepmodCall.getDefaultInstance())).getDepmod();
                PrintWriter out = spec.commandLine().getOut();
                out.println("depmod: indexed " + r.getModules() + " modules into " + r.getDirectory());
                r.getProblemsList().forEach(p -> spec.commandLine().getErr().println("depmod: warning: " + p));
                out.flush();
            }
            return 0;
        }
    }
}
