package dev.jdm.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import picocli.CommandLine;

/** Entry point of the {@code jdm} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Integer fast = fast(args);
        if (fast != null) {
            // System.exit would first ask a System.Logger whether to log the exit (Runtime.exit's
            // debug log), and finding the logger runs a ServiceLoader over every JAR on the class
            // path: 20 to 30 ms after the output, measured with strace on lsmod. The fast paths
            // register no shutdown hook and leave nothing running, so halting after the flush is
            // all exit would do for them.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(fast);
        }
        System.exit(JdmCommand.commandLine(args).execute(args));
    }

    /** Runs the command line and returns the exit code. */
    static int run(String... args) {
        Integer fast = fast(args);
        if (fast != null) {
            return fast;
        }
        CommandLine cl = JdmCommand.commandLine(args);
        return cl.execute(args);
    }

    /** The command lines answered without picocli ({@link #lsmod}, {@link #kmod}): their exit code, else null. */
    private static Integer fast(String[] args) {
        Integer fast = lsmod(args);
        if (fast == null && args.length > 1 && args[0].equals("kmod")) {
            fast = kmod(args);
        }
        return fast;
    }

    /**
     * {@code jdm kmod depmod ...} with plain arguments, without picocli (see the kmod tree's
     * {@code DirectDepmod}: its wall time is compared with kmod's); null for anything else. The
     * writers are made as picocli makes its defaults, so the output is the same either way.
     */
    private static Integer kmod(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, encoding("sun.stdout.encoding")), false);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, encoding("sun.stderr.encoding")), true);
        return dev.jdm.kmod.cli.KmodMain.runDirect("jdm kmod", java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    private static Charset encoding(String property) {
        String name = System.getProperty(property);
        return name == null ? Charset.defaultCharset() : Charset.forName(name.equalsIgnoreCase("cp65001") ? "UTF-8" : name);
    }

    /**
     * {@code jdm [--socket PATH] lsmod [--json]}, the listing users run most and wait for, without
     * picocli: building its model by reflection and parsing took about half of lsmod's wall time
     * ({@code -Xlog:class+load}: 100 ms from {@code Main} to the first gate class, on a run of 220),
     * and picocli's class files predate Java 6, so class-data archives cannot keep them linked.
     * Any other spelling, {@code --help} included, goes through picocli, so behaviour is one.
     *
     * @return the exit code, or null if {@code args} are not exactly such a command line
     */
    static Integer lsmod(String[] args) {
        // JdmCommand stays untouched: its class initialisation registers every command's class
        Path socket = null;
        int i = 0;
        if (args.length > 1 && args[0].equals("--socket")) {
            socket = Path.of(args[1]);
            i = 2;
        } else if (args.length > 0 && args[0].startsWith("--socket=")) {
            socket = Path.of(args[0].substring("--socket=".length()));
            i = 1;
        }
        boolean json = args.length == i + 2 && args[i + 1].equals("--json");
        if (args.length <= i || !args[i].equals("lsmod") || args.length > i + 1 && !json) {
            return null;
        }
        PrintWriter out = new PrintWriter(System.out, false, Charset.defaultCharset());
        try {
            return ModuleCommands.Lsmod.run(socket, json, out);
        } catch (CliException | dev.jdm.gate.GateException failure) {
            CliException e = failure instanceof dev.jdm.gate.GateException g ? CliException.from(g) : (CliException) failure;
            out.flush();
            System.err.println(CliException.line("lsmod", "lsmod", e.getMessage()));
            return e.exitCode();
        } finally {
            out.flush();
        }
    }
}
