package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.GrantEntry;
import dev.jdm.gate.proto.GrantLsCall;
import dev.jdm.gate.proto.GrantLsReply;
import dev.jdm.gate.proto.GrantRuleEntry;
import dev.jdm.gate.proto.Request;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm grant}: what the host's I/O server has granted to modules, and its policy. */
@Command(name = "grant", description = "Grants: the files modules hold through the host, and the policy that granted them.",
        subcommands = {GrantCommands.Ls.class})
final class GrantCommands implements GateParent {
    @ParentCommand JdmCommand root;

    @Override
    public JdmCommand root() {
        return root;
    }

    @Command(name = "ls", description = "List who holds what: module, domain, resource, access and why it was granted; then the policy's rules.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand GrantCommands grant;
        @Spec CommandSpec spec;
        @Option(names = "--module", paramLabel = "NAME", description = "only this module's grants") String module = "";
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            GrantLsReply reply;
            try (GateClient gate = grant.root.connect()) {
                reply = gate.call(Request.newBuilder().setGrantLs(GrantLsCall.newBuilder().setModule(module))).getGrantLs();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("grants", reply.getGrantsList().stream().map(Ls::row).toList());
                all.put("rules", reply.getRulesList().stream().map(Ls::rule).toList());
                all.put("params_granted", reply.getParamsGranted());
                JdmCommand.printJson(out, all);
            } else {
                table(out, reply.getGrantsList());
                out.println();
                out.println("policy: " + (reply.getParamsGranted() ? "a path named by a load parameter is granted as the loader asked (grant.params 1)"
                        : "only what a rule covers (grant.params 0)"));
                for (GrantRuleEntry r : reply.getRulesList()) {
                    out.println("  rule " + (r.getModule().isEmpty() ? "domain " + r.getDomain() : "module " + r.getModule()) + ": " + r.getPath()
                            + " (" + r.getAccess() + ")");
                }
                out.flush();
            }
            return 0;
        }

        private static void table(PrintWriter out, List<GrantEntry> grants) {
            out.printf("%-14s %-18s %-5s %-40s %-22s %s%n", "MODULE", "DOMAIN", "KIND", "RESOURCE", "ACCESS", "VIA");
            for (GrantEntry g : grants) {
                out.printf("%-14s %-18s %-5s %-40s %-22s %s%n", g.getModule(), g.getDomain(), g.getKind(), g.getResource(), g.getAccess(), g.getVia());
            }
        }

        private static Map<String, Object> row(GrantEntry g) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("module", g.getModule());
            row.put("domain", g.getDomain());
            row.put("kind", g.getKind());
            row.put("resource", g.getResource());
            row.put("access", g.getAccess());
            row.put("via", g.getVia());
            return row;
        }

        private static Map<String, Object> rule(GrantRuleEntry r) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(r.getModule().isEmpty() ? "domain" : "module", r.getModule().isEmpty() ? r.getDomain() : r.getModule());
            row.put("path", r.getPath());
            row.put("access", r.getAccess());
            return row;
        }
    }
}
