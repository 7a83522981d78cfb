package dev.jdm.kmod.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Stand-alone entry point: {@code java -cp … dev.jdm.kmod.cli.KmodMain modinfo x.ko}. */
public final class KmodMain {
    private KmodMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the kmod command with UTF-8 stdout/stderr and the usage-error policy; returns the exit code. */
    public static int execute(String... args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), false);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        Integer direct = runDirect("kmod", args, out, err);
        int rc = direct != null ? direct : commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        return rc;
    }

    /**
     * Runs {@code kmod ARGS} without picocli where that is known to mean the same (today plain
     * {@code depmod} lines, see {@link DirectDepmod}), naming the command {@code parent + " depmod"}
     * in errors; null if picocli must parse {@code args}. The jdm CLI calls this for {@code jdm kmod}.
     */
    public static Integer runDirect(String parent, String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 0 || !args[0].equals("depmod")) {
            return null;
        }
        Integer rc = DirectDepmod.run(parent + " depmod", java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        if (rc != null) {
            out.flush();
            err.flush();
        }
        return rc;
    }

    /** A configured CommandLine: usage errors print one line and exit with 2. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new KmodCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandSpec().qualifiedName() + ": " + ex.getMessage()
                    + " (see --help)");
            return 2;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + ex);
            return 1;
        });
        return cmd;
    }
}
