package dev.jdm.kmod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jdm.kmod.KmodException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shared plumbing of the {@code kmod} subcommands: output goes to the CommandLine's writers
 * (so the commands work mounted under {@code jdm}), a {@link KmodException} becomes one line
 * on stderr and exit code 1, and {@code --json} switches to JSON.
 */
abstract class KmodSubcommand implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;

    /** Built on first use: Jackson's start-up would otherwise slow every jdm command, not only kmod --json. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        /** Here, not in printJson: a catch of Jackson's exception there made every command load Jackson to verify it. */
        static String write(Object value) {
            try {
                return MAPPER.writeValueAsString(value);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise JSON: " + e.getMessage(), e);
            }
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON instead of kmod's text format.")
    boolean json;

    /** Set instead of {@link #spec} when the command runs without picocli ({@link DirectDepmod}). */
    private PrintWriter directOut;
    private PrintWriter directErr;
    private String directName;

    /** Does the work; returns the exit code. */
    abstract int run() throws KmodException;

    @Override
    public final Integer call() {
        try {
            int rc = run();
            out().flush();
            return rc;
        } catch (KmodException e) {
            out().flush();
            error(e.getMessage());
            return FAILED;
        } catch (RuntimeException e) {
            out().flush();
            error("internal error: " + e);
            return FAILED;
        }
    }

    /** Runs the command as {@link #call()} does, with these writers, naming itself {@code qualifiedName} in errors. */
    final int callDirect(String qualifiedName, PrintWriter out, PrintWriter err) {
        directName = qualifiedName;
        directOut = out;
        directErr = err;
        return call();
    }

    PrintWriter out() {
        return spec != null ? spec.commandLine().getOut() : directOut;
    }

    void error(String message) {
        PrintWriter err = spec != null ? spec.commandLine().getErr() : directErr;
        err.println((spec != null ? spec.qualifiedName() : directName) + ": " + message);
        err.flush();
    }

    /**
     * Prints text that the library produced as raw bytes (ISO-8859-1 code units): module
     * strings are UTF-8 by convention, so they are decoded as such for the writer.
     */
    void printRaw(String bytes) {
        out().print(new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    void printJson(Object value) {
        printRaw(Json.write(value) + "\n");
    }
}
