package dev.jdm.dde.nbdkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real nbdkit serving a plugin on a Unix socket ({@code nbdkit -U SOCK -f PLUGIN ARGS}), and
 * libnbd's tools asking it questions: the peer every library answer is compared with.
 */
final class RealNbdkit implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    final Path socket;
    private final Path dir;

    private RealNbdkit(Process process, Path socket, Path dir) {
        this.process = process;
        this.socket = socket;
        this.dir = dir;
    }

    static RealNbdkit start(String plugin, List<String> args, String... options) throws Exception {
        Path dir = Files.createTempDirectory("dde-nbdkit-");
        Path sock = dir.resolve("sock");
        List<String> cmd = new ArrayList<>(List.of("nbdkit", "-U", sock.toString(), "-f", "--exit-with-parent"));
        cmd.addAll(List.of(options));
        cmd.add(plugin);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // the socket file appears at bind(), a moment before listen(): wait until a connection is taken
        while (!Files.exists(sock) || !accepts(sock)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException("nbdkit did not start: " + cmd + "\n" + Files.readString(dir.resolve("log")));
            }
            Thread.sleep(10);
        }
        return new RealNbdkit(p, sock, dir);
    }

    private static boolean accepts(Path sock) {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            return ch.connect(java.net.UnixDomainSocketAddress.of(sock));
        } catch (IOException e) {
            return false;
        }
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("log"));
    }

    String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    long size() throws Exception {
        return Long.parseLong(run("nbdinfo", "--size", uri()).strip());
    }

    /** {@code nbdinfo --json}: the export's flags as the server advertises them. */
    JsonNode info() throws Exception {
        return JSON.readTree(run("nbdinfo", "--json", uri())).get("exports").get(0);
    }

    /** {@code nbdinfo --map --json}, adjacent extents of one type merged. */
    List<Extent> map() throws Exception {
        List<Extent> raw = new ArrayList<>();
        for (JsonNode e : JSON.readTree(run("nbdinfo", "--map", "--json", uri()))) {
            raw.add(Extent.of(e.get("offset").asLong(), e.get("length").asLong(), e.get("type").asInt()));
        }
        return Maps.merge(raw);
    }

    /** SHA-256 of the whole export, copied to a file by nbdcopy. */
    String sha256() throws Exception {
        Path copy = dir.resolve("copy");
        run("nbdcopy", uri(), copy.toString());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(copy)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        Files.delete(copy);
        return HexFormat.of().formatHex(md.digest());
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
