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
        int rc = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
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
