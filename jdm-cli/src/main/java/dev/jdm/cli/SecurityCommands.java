package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import com.google.protobuf.ByteString;
import dev.jdm.gate.proto.ModuleEntry;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.SecLsCall;
import dev.jdm.gate.proto.SecLsReply;
import dev.jdm.gate.proto.SecModuleEntry;
import dev.jdm.gate.proto.SecReloadCall;
import dev.jdm.gate.proto.SecReplaceCall;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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

/** {@code jdm sec}: the security module stack (ls, replace, reload). */
@Command(name = "sec", description = "Security modules: list the stack, replace one atomically, reload a policy.",
        subcommands = {SecurityCommands.Ls.class, SecurityCommands.Replace.class, SecurityCommands.Reload.class})
final class SecurityCommands {
    @ParentCommand JdmCommand root;

    static byte[] read(Path file, long max) {
        try {
            if (Files.size(file) > max) {
                throw new CliException(CliException.USAGE, file + ": larger than " + max + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw CliException.unreadable(file, e);
        }
    }

    @Command(name = "ls", description = "List security modules: state (live, draining, gone), mode, tasks holding them, Order:ID.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand SecurityCommands sec;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            SecLsReply r;
            try (GateClient gate = sec.root.connect()) {
                r = gate.call(Request.newBuilder().setSecLs(SecLsCall.getDefaultInstance())).getSecLs();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (SecModuleEntry m : r.getModulesList()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("name", m.getName());
                    row.put("state", m.getState());
                    row.put("mode", m.getMode());
                    row.put("refs", m.getRefs());
                    row.put("id", m.getId());
                    row.put("order", m.getOrder());
                    row.put("failure", m.getFailure());
                    rows.add(row);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("stack_locked", r.getStackLocked());
                doc.put("modules", rows);
                JdmCommand.printJson(out, doc);
                return 0;
            }
            for (SecModuleEntry m : r.getModulesList()) {
                out.printf("%-12s %-9s %-11s refs=%-4d id=%-6d order=%s%s%n", m.getName(), m.getState(), m.getMode(), m.getRefs(), m.getId(),
                        m.getOrder() < 0 ? "-" : Integer.toString(m.getOrder()), m.getFailure().isEmpty() ? "" : "  FAILED: " + m.getFailure());
            }
            if (r.getModulesCount() == 0) {
                out.println("no security modules loaded");
            }
            out.println("stack " + (r.getStackLocked() ? "locked (security.stack_locked=1)" : "unlocked"));
            out.flush();
            return 0;
        }
    }

    @Command(name = "replace", description = "Replace a loaded security module with a new JAR: the new one enforces before the old one drains.")
    static final class Replace implements Callable<Integer> {
        @ParentCommand SecurityCommands sec;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "OLD") String old;
        @Parameters(index = "1", paramLabel = "NEW.jar") Path file;
        @Parameters(index = "2..*", paramLabel = "name=value", description = "parameters of the new module; mode=permissive as for insmod")
        List<String> params = new ArrayList<>();

        @Override
        public Integer call() {
            byte[] bytes = read(file, dev.jdm.gate.Frames.MAX_FRAME - 4096);
            try (GateClient gate = sec.root.connect()) {
                long upload = JarSender.upload(gate, bytes);
                SecReplaceCall.Builder call = SecReplaceCall.newBuilder().setOld(old).setOrigin(file.toAbsolutePath().toString())
                        .putAllParams(ModuleCommands.params(params));
                var r = gate.call(Request.newBuilder().setSecReplace(upload != 0 ? call.setUpload(upload) : call.setJar(ByteString.copyFrom(bytes))));
                ModuleEntry m = r.getSecReplace().getModule();
                spec.commandLine().getOut().println(old + ": replaced by " + m.getName() + " (" + m.getState() + "); the old one drains");
            }
            return 0;
        }
    }

    @Command(name = "reload", description = "Give a security module a new policy from FILE, or make it re-read the host's stored one.")
    static final class Reload implements Callable<Integer> {
        @ParentCommand SecurityCommands sec;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "MODULE") String module;
        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE") Path file;

        @Override
        public Integer call() {
            SecReloadCall.Builder c = SecReloadCall.newBuilder().setModule(module);
            if (file != null) {
                c.setHasPolicy(true).setPolicy(new String(read(file, 1 << 20), StandardCharsets.UTF_8));
            }
            try (GateClient gate = sec.root.connect()) {
                spec.commandLine().getOut().println(gate.call(Request.newBuilder().setSecReload(c)).getSecReload().getMessage());
            }
            return 0;
        }
    }
}
