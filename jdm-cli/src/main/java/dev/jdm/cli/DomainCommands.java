package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.DomainDebugCall;
import dev.jdm.gate.proto.DomainEntry;
import dev.jdm.gate.proto.DomainLsCall;
import dev.jdm.gate.proto.DomainRestartCall;
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

/** {@code jdm domain}: the isolated driver domains, their processes and restarts. */
@Command(name = "domain", description = "Isolated driver domains: list them, restart one.",
        subcommands = {DomainCommands.Ls.class, DomainCommands.Restart.class, DomainCommands.Debug.class})
final class DomainCommands implements GateParent {
    @ParentCommand JdmCommand root;

    @Override
    public JdmCommand root() {
        return root;
    }

    /** A call that answers with the one domain it acted on (restart, debug). */
    DomainEntry one(Request.Builder call) {
        try (GateClient gate = root.connect()) {
            return gate.call(call).getDomainLs().getDomains(0);
        }
    }

    static Map<String, Object> row(DomainEntry d) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", d.getName());
        row.put("pid", d.getPid());
        row.put("uid", d.getUid());
        row.put("state", d.getState());
        row.put("restarts", d.getRestarts());
        row.put("modules", d.getModulesList());
        row.put("lus", d.getLusList());
        row.put("rss_bytes", d.getRssBytes());
        row.put("last_exit", d.getLastExit());
        row.put("grants", d.getGrantsList());
        row.put("debug_port", d.getDebugPort());
        return row;
    }

    static void table(PrintWriter out, List<DomainEntry> domains) {
        out.printf("%-16s %8s %6s %-10s %8s %9s  %-20s %s%n", "NAME", "PID", "UID", "STATE", "RESTARTS", "RSS", "MODULES", "LUS");
        for (DomainEntry d : domains) {
            out.printf("%-16s %8d %6d %-10s %8d %9s  %-20s %s%n", d.getName(), d.getPid(), d.getUid(), d.getState(), d.getRestarts(),
                    d.getRssBytes() == 0 ? "-" : BlockCommands.size(d.getRssBytes()), String.join(",", d.getModulesList()),
                    String.join(",", d.getLusList()));
            for (String g : d.getGrantsList()) {
                out.printf("%-16s grant %s%n", "", g);
            }
        }
        out.flush();
    }

    @Command(name = "ls", description = "List isolated domains: pid, uid, state, restarts, resident memory, modules, LUs and grants.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand DomainCommands domain;
        @Spec CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "NAME") String name = "";
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            List<DomainEntry> list;
            try (GateClient gate = domain.root.connect()) {
                list = gate.call(Request.newBuilder().setDomainLs(DomainLsCall.newBuilder().setName(name))).getDomainLs().getDomainsList();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                list.forEach(d -> rows.add(row(d)));
                JdmCommand.printJson(out, rows);
            } else {
                table(out, list);
            }
            return 0;
        }
    }

    @Command(name = "restart", description = "Restart a domain by hand: its process is replaced, its modules reload and held I/O is replayed. Privileged.")
    static final class Restart implements Callable<Integer> {
        @ParentCommand DomainCommands domain;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            DomainEntry d = domain.one(Request.newBuilder().setDomainRestart(DomainRestartCall.newBuilder().setName(name)));
            spec.commandLine().getOut().println(d.getName() + ": restarting (pid " + d.getPid() + " killed; jdm domain ls shows the new one)");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "debug", description = "Restart a domain with a JDWP agent on a loopback port, and print the jdb line that attaches to it. Privileged.")
    static final class Debug implements Callable<Integer> {
        @ParentCommand DomainCommands domain;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            DomainEntry d = domain.one(Request.newBuilder().setDomainDebug(DomainDebugCall.newBuilder().setName(name)));
            PrintWriter out = spec.commandLine().getOut();
            out.println(d.getName() + ": restarting with a JDWP agent on 127.0.0.1:" + d.getDebugPort()
                    + "; once jdm domain ls shows it running, attach with:");
            out.println("  jdb -attach 127.0.0.1:" + d.getDebugPort());
            out.flush();
            return 0;
        }
    }
}
