package dev.jdm.cli;

import com.google.protobuf.ByteString;
import dev.jdm.gate.DevReads;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.DevCallCall;
import dev.jdm.gate.proto.DevCloseCall;
import dev.jdm.gate.proto.DevDescribeCall;
import dev.jdm.gate.proto.DevDescribeReply;
import dev.jdm.gate.proto.DevField;
import dev.jdm.gate.proto.DevLsCall;
import dev.jdm.gate.proto.DevMethod;
import dev.jdm.gate.proto.DevNode;
import dev.jdm.gate.proto.DevOpenCall;
import dev.jdm.gate.proto.DevSchema;
import dev.jdm.gate.proto.DevType;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.gate.proto.DevWriteCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.io.InputStream;
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

/** {@code jdm dev}: character devices: list, read, write, typed calls and their schemas. */
@Command(name = "dev", description = "Character devices: list, read (cat), write, typed calls and their schemas.",
        subcommands = {DevCommands.Ls.class, DevCommands.Cat.class, DevCommands.Write.class, DevCommands.Call.class, DevCommands.Describe.class})
final class DevCommands {
    /** Open flags, as Linux's and the gate's. */
    static final int READ = 4;
    static final int WRITE = 2;
    static final int EXCL = 0200;
    static final int NONBLOCK = 04000;
    /** One write carries this much (the host takes at most 512 KiB). */
    static final int WRITE_CHUNK = 256 << 10;

    @ParentCommand JdmCommand root;

    static String mode(int mode) {
        return String.format("0%03o", mode);
    }

    static Map<String, Object> row(DevNode n) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", n.getName());
        row.put("major", n.getMajor());
        row.put("minor", n.getMinor());
        row.put("owner", n.getOwner());
        row.put("group", n.getGroup());
        row.put("mode", mode(n.getMode()));
        row.put("module", n.getModule());
        row.put("domain", n.getDomain());
        row.put("open_count", n.getOpenCount());
        row.put("held", n.getHeld());
        row.put("typed_calls", n.getHasCalls());
        return row;
    }

    static long open(GateClient gate, String node, int flags) {
        return gate.call(Request.newBuilder().setDevOpen(DevOpenCall.newBuilder().setName(node).setFlags(flags))).getDevOpen().getHandle();
    }

    static void close(GateClient gate, long handle) {
        gate.call(Request.newBuilder().setDevClose(DevCloseCall.newBuilder().setHandle(handle)));
    }

    @Command(name = "ls", description = "List character devices: number, mode, owner, group, open files, where the driver runs, module.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand DevCommands dev;
        @Spec CommandSpec spec;
        @Parameters(arity = "0..1", paramLabel = "NODE") String name = "";
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            List<DevNode> nodes;
            try (GateClient gate = dev.root.connect()) {
                nodes = gate.call(Request.newBuilder().setDevLs(DevLsCall.newBuilder().setName(name))).getDevLs().getNodesList();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                nodes.forEach(n -> rows.add(row(n)));
                JdmCommand.printJson(out, rows);
                return 0;
            }
            out.printf("%-12s %-8s %-5s %6s %6s %-6s %-16s %s%n", "NAME", "NUMBER", "MODE", "OWNER", "GROUP", "OPEN", "DOMAIN", "MODULE");
            for (DevNode n : nodes) {
                out.printf("%-12s %-8s %-5s %6d %6d %-6s %-16s %s%n", n.getName(), n.getMajor() + ":" + n.getMinor(), mode(n.getMode()), n.getOwner(),
                        n.getGroup(), n.getOpenCount() + (n.getHeld() ? " excl" : ""), n.getDomain().isEmpty() ? "-" : n.getDomain(),
                        n.getModule() + (n.getHasCalls() ? " (typed calls)" : ""));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "cat", description = "Read a device to stdout; a blocking read waits for data (kmsg follows the log, as dmesg -w).")
    static final class Cat implements Callable<Integer> {
        @ParentCommand DevCommands dev;
        @Parameters(paramLabel = "NODE") String node;
        @Option(names = "--bytes", paramLabel = "N", description = "stop after N bytes (65536, 64K, 1M)") String bytes;
        @Option(names = "--nonblock", description = "open O_NONBLOCK: stop when nothing is there to read") boolean nonblock;
        @Option(names = "--exclusive", description = "open O_EXCL: hold the device (kbd0: nobody else gets its input)") boolean exclusive;

        @Override
        public Integer call() {
            long limit = bytes == null ? Long.MAX_VALUE : BlockCommands.bytes(bytes);
            StdoutSink out = StdoutSink.open();
            try (GateClient gate = dev.root.connect()) {
                long h = open(gate, node, READ | (nonblock ? NONBLOCK : 0) | (exclusive ? EXCL : 0));
                new DevReads(gate, h, DevReads.CHUNK, limit).transferTo(out);
                close(gate, h);
            } catch (IOException e) {
                return 0; // the reader went away (| head): as cat, stop quietly
            } catch (dev.jdm.gate.GateException e) {
                if (nonblock && e.refused() && "EAGAIN".equals(e.errnoName())) {
                    return 0; // nothing more to read without waiting
                }
                throw e;
            }
            return 0;
        }
    }

    @Command(name = "write", description = "Write stdin to a device.")
    static final class Write implements Callable<Integer> {
        @ParentCommand DevCommands dev;
        @Parameters(paramLabel = "NODE") String node;

        @Override
        public Integer call() {
            InputStream in = System.in;
            try (GateClient gate = dev.root.connect()) {
                long h = open(gate, node, WRITE);
                byte[] buf = new byte[WRITE_CHUNK];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    int off = 0;
                    while (off < n) {
                        int[] written = new int[1];
                        ByteString data = ByteString.copyFrom(buf, off, n - off);
                        gate.stream(Request.newBuilder().setDevWrite(DevWriteCall.newBuilder().setHandle(h).setData(data)), r -> {
                            if (!r.getMore()) {
                                written[0] = r.getDevWrite().getWritten();
                            }
                            return true;
                        });
                        off += written[0];
                    }
                }
                close(gate, h);
            } catch (IOException e) {
                throw new CliException(CliException.USAGE, "stdin: " + e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "call", description = "Make a typed call: arguments and result as JSON, checked against the device's schema by the host.")
    static final class Call implements Callable<Integer> {
        @ParentCommand DevCommands dev;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "NODE") String node;
        @Parameters(index = "1", paramLabel = "METHOD") String method;
        @Option(names = "--json", paramLabel = "ARGS", description = "the argument record as a JSON object (none for a call without one)") String json;

        @Override
        public Integer call() {
            DevCallCall.Builder c = DevCallCall.newBuilder().setNode(node).setMethod(method);
            if (json != null) {
                c.setArgs(DevJson.parse(json));
            }
            DevValue result;
            try (GateClient gate = dev.root.connect()) {
                var reply = gate.call(Request.newBuilder().setDevCall(c)).getDevCall();
                result = reply.hasResult() ? reply.getResult() : null;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (result != null) {
                JdmCommand.printJson(out, DevJson.plain(result));
            }
            out.flush();
            return 0;
        }
    }

    static Map<String, Object> schemaRow(DevSchema s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("interface", s.getInterface());
        m.put("version", s.getVersion());
        m.put("fingerprint", s.getFingerprint());
        List<Map<String, Object>> methods = new ArrayList<>();
        for (DevMethod x : s.getMethodsList()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("name", x.getName());
            mm.put("input", x.getInput());
            mm.put("output", x.getOutput());
            mm.put("errors", x.getErrorsList());
            mm.put("fingerprint", x.getFingerprint());
            methods.add(mm);
        }
        m.put("methods", methods);
        Map<String, Object> types = new LinkedHashMap<>();
        for (DevType t : s.getTypesList()) {
            Map<String, String> fields = new LinkedHashMap<>();
            t.getFieldsList().forEach(f -> fields.put(f.getName(), f.getType()));
            types.put(t.getName(), fields);
        }
        m.put("types", types);
        return m;
    }

    @Command(name = "describe", description = "Show a device and the schema of its typed calls: records, fields, errors, fingerprints.")
    static final class Describe implements Callable<Integer> {
        @ParentCommand DevCommands dev;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "NODE") String node;
        @Option(names = "--json", description = "machine-readable output (the schema as the gate carries it)") boolean json;

        @Override
        public Integer call() {
            DevDescribeReply r;
            try (GateClient gate = dev.root.connect()) {
                r = gate.call(Request.newBuilder().setDevDescribe(DevDescribeCall.newBuilder().setNode(node))).getDevDescribe();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("node", row(r.getNode()));
                if (r.hasSchema()) {
                    all.put("schema", schemaRow(r.getSchema()));
                }
                JdmCommand.printJson(out, all);
                return 0;
            }
            DevNode n = r.getNode();
            out.printf("%s %d:%d mode %s owner %d group %d module %s%n", n.getName(), n.getMajor(), n.getMinor(), mode(n.getMode()), n.getOwner(),
                    n.getGroup(), n.getModule());
            if (!r.hasSchema()) {
                out.println("no typed calls");
                out.flush();
                return 0;
            }
            DevSchema s = r.getSchema();
            out.printf("calls %s version %d fingerprint %s%n", s.getInterface(), s.getVersion(), s.getFingerprint());
            for (DevMethod m : s.getMethodsList()) {
                out.printf("  %s(%s) -> %s%s  [%s]%n", m.getName(), m.getInput(), m.getOutput().isEmpty() ? "void" : m.getOutput(),
                        m.getErrorsCount() == 0 ? "" : "  raises " + String.join(", ", m.getErrorsList()), m.getFingerprint());
            }
            for (DevType t : s.getTypesList()) {
                out.println("record " + t.getName());
                for (DevField f : t.getFieldsList()) {
                    out.println("  " + f.getName() + " " + f.getType());
                }
            }
            out.flush();
            return 0;
        }
    }
}
