package dev.jdm.kmod.weak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs programs as processes: the kmod CLI (a fresh JVM on the test class path) and kmod's tools. */
final class Tools {
    record Result(int rc, String out, String err) {
    }

    private Tools() {
    }

    /** {@code jdm kmod ARGS} as its own process, through the stand-alone entry point. */
    static Result jdmKmod(String... args) throws IOException, InterruptedException {
        return run(jdmKmodCommand(args));
    }

    /** The command line of {@code jdm kmod ARGS} in a fresh JVM. */
    static List<String> jdmKmodCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                "dev.jdm.kmod.cli.KmodMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        return run(List.of(cmd));
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
