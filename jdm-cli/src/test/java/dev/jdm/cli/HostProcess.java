package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code jdm host} started as a real process for an integration test, in a fresh directory, and
 * the real {@code jdm} CLI run against it as processes. The host's console is read up to the
 * banner's {@code next:} line and drained afterwards, so it never blocks on a full pipe.
 */
final class HostProcess implements AutoCloseable {
    static final Path CLI = Path.of(System.getProperty("jdm.cli.dir", "target"));

    /** What a CLI process did. */
    record Result(int code, String out, String err) {}

    private final Path dir;
    private final Process process;
    private final List<String> banner = new ArrayList<>();

    private HostProcess(Path dir, Consumer<ProcessBuilder> setup, List<String> hostArgs) throws IOException {
        this.dir = dir;
        List<String> args = new ArrayList<>(List.of("host", "--state-dir", dir.resolve("state").toString()));
        args.addAll(hostArgs);
        ProcessBuilder pb = new ProcessBuilder(javaCommand(args.toArray(String[]::new))).redirectErrorStream(true);
        setup.accept(pb);
        this.process = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            banner.add(line);
            if (line.startsWith("next:")) {
                break;
            }
        }
        Thread.ofVirtual().start(() -> {
            try {
                while (r.readLine() != null) {
                    // drain the console
                }
            } catch (IOException ended) {
                // the host is gone
            }
        });
    }

    /** Starts a host in a new temporary directory named after {@code prefix}, with extra host flags. */
    static HostProcess start(String prefix, String... hostArgs) throws IOException {
        return start(Files.createTempDirectory(prefix), pb -> { }, hostArgs);
    }

    /** Starts a host in {@code dir}, with {@code setup} applied to its process (environment, stderr) first. */
    static HostProcess start(Path dir, Consumer<ProcessBuilder> setup, String... hostArgs) throws IOException {
        return new HostProcess(dir, setup, List.of(hostArgs));
    }

    Path dir() {
        return dir;
    }

    Path socket() {
        return dir.resolve("gate.sock");
    }

    /** The NBD Unix socket, beside the gate's by default. */
    Path nbdSocket() {
        return dir.resolve("nbd.sock");
    }

    Process process() {
        return process;
    }

    /** The console up to and including the {@code next:} line. */
    List<String> banner() {
        return List.copyOf(banner);
    }

    /** The java command line that runs {@code jdm --socket SOCKET args…} against this host. */
    List<String> javaCommand(String... args) {
        return javaCommandAt(socket(), args);
    }

    /** The java command line that runs {@code jdm --socket socket args…}. */
    static List<String> javaCommandAt(Path socket, String... args) {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("jdm.java", "java"),
                "--enable-native-access=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Djdm.modules=" + CLI.resolve("modules").toAbsolutePath(),
                "-cp", CLI.resolve("jdm-cli.jar") + ":" + CLI.resolve("lib") + "/*", "dev.jdm.cli.Main", "--socket", socket.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the CLI against this host and waits for it. */
    Result jdm(String... args) throws Exception {
        return run(javaCommand(args));
    }

    /** Runs any command line and waits for it (at most two minutes). */
    static Result run(List<String> cmd) throws Exception {
        return run(cmd, 120);
    }

    /** Runs any command line and waits for it, at most {@code seconds}. */
    static Result run(List<String> cmd, long seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as("%s finished", String.join(" ", cmd)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    /** Stops the host: SIGTERM, then SIGKILL if it has not gone within 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
