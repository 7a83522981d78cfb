package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.DmesgCall;
import dev.jdm.gate.proto.LogEntry;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.SysctlEntry;
import dev.jdm.gate.proto.SysctlGetCall;
import dev.jdm.gate.proto.SysctlSetCall;
import dev.jdm.gate.proto.TaintCall;
import dev.jdm.gate.proto.TaintFlag;
import dev.jdm.gate.proto.TaintReply;
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

/** sysctl, dmesg and taint. */
final class SystemCommands {
    private SystemCommands() {}

    @Command(name = "sysctl", description = "Read or write host tunables.")
    static final class SysctlCmd implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Option(names = {"-a", "--all"}, description = "show all keys") boolean all;
        @Option(names = {"-w", "--write"}, description = "write KEY=VALUE") boolean write;
        @Option(names = "--json", description = "machine-readable output") boolean json;
        @Parameters(arity = "0..*", paramLabel = "KEY|KEY=VALUE") List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            List<SysctlEntry> entries = new ArrayList<>();
            try (GateClient gate = root.connect()) {
                if (write) {
                    if (args.isEmpty()) {
                        throw new CliException(CliException.USAGE, "-w needs KEY=VALUE");
                    }
                    for (String a : args) {
                        int eq = a.indexOf('=');
                        if (eq <= 0) {
                            throw new CliException(CliException.USAGE, "\"" + a + "\" is not KEY=VALUE");
                        }
                        entries.addAll(gate.call(Request.newBuilder().setSysctlSet(SysctlSetCall.newBuilder()
                                .setKey(a.substring(0, eq)).setValue(a.substring(eq + 1)))).getSysctl().getEntriesList());
                    }
                } else if (all || args.isEmpty()) {
                    entries.addAll(gate.call(Request.newBuilder().setSysctlGet(SysctlGetCall.getDefaultInstance())).getSysctl().getEntriesList());
                } else {
                    for (String k : args) {
                        entries.addAll(gate.call(Request.newBuilder().setSysctlGet(SysctlGetCall.newBuilder().setKey(k))).getSysctl().getEntriesList());
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, String> obj = new LinkedHashMap<>();
                entries.forEach(e -> obj.put(e.getKey(), e.getValue()));
                JdmCommand.printJson(out, obj);
            } else {
                entries.forEach(e -> out.println(e.getKey() + " = " + e.getValue()));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "dmesg", description = "Print the host's log ring.")
    static final class Dmesg implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Option(names = {"-w", "--follow"}, description = "wait for new records") boolean follow;
        @Option(names = "--json", description = "one JSON object per line") boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (GateClient gate = root.connect()) {
                gate.stream(Request.newBuilder().setDmesg(DmesgCall.newBuilder().setFollow(follow)), r -> {
                    for (LogEntry e : r.getLog().getEntriesList()) {
                        if (json) {
                            Map<String, Object> obj = new LinkedHashMap<>();
                            obj.put("seq", e.getSeq());
                            obj.put("time_ns", e.getMonotonicNanos());
                            obj.put("level", e.getLevel());
                            obj.put("source", e.getSource());
                            obj.put("message", e.getMessage());
                            try {
                                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(obj));
                            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                                throw new CliException(CliException.HOST_ERROR, ex.getMessage());
                            }
                        } else {
                            long micros = e.getMonotonicNanos() / 1000;
                            out.printf("[%5d.%06d] %-7s %s: %s%n", micros / 1_000_000, micros % 1_000_000,
                                    e.getLevel().toLowerCase(), e.getSource(), e.getMessage());
                        }
                    }
                    out.flush();
                    return !out.checkError();
                });
            }
            return 0;
        }
    }

    @Command(name = "taint", description = "Show the host's taint flags and the modules that set them.")
    static final class TaintCmd implements Callable<Integer> {
        @ParentCommand JdmCommand root;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            TaintReply r;
            try (GateClient gate = root.connect()) {
                r = gate.call(Request.newBuilder().setTaint(TaintCall.getDefaultInstance())).getTaint();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> obj = new LinkedHashMap<>();
                obj.put("letters", r.getLetters());
                List<Map<String, Object>> flags = new ArrayList<>();
                for (TaintFlag f : r.getFlagsList()) {
                    flags.add(Map.of("letter", f.getLetter(), "description", f.getDescription(), "modules", f.getModulesList()));
                }
                obj.put("flags", flags);
                JdmCommand.printJson(out, obj);
                return 0;
            }
            if (r.getLetters().isEmpty()) {
                out.println("not tainted");
            }
            for (TaintFlag f : r.getFlagsList()) {
                out.println(f.getLetter() + "  " + f.getDescription() + (f.getModulesCount() == 0 ? "" : " (" + String.join(", ", f.getModulesList()) + ")"));
            }
            out.flush();
            return 0;
        }
    }
}
