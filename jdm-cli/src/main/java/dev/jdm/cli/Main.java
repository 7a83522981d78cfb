package dev.jdm.cli;

import picocli.CommandLine;

/** Entry point of the {@code jdm} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    static int run(String... args) {
        CommandLine cl = JdmCommand.commandLine(args);
        return cl.execute(args);
    }
}
