package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.host.sys.Libc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * NBD exports made kernel block devices for a test, with real tools: nbdfuse shows an export as a
 * file, losetup makes the file a loop device, and the kernel's own file systems go on top. Every
 * mount, loop device and FUSE mount it makes is undone on close, newest first.
 */
final class KernelDisks implements AutoCloseable {
    private final Deque<String[]> cleanup = new ArrayDeque<>();

    record Run(int code, String out) {}

    /** Skips the calling test, saying why, unless this machine can make loop devices over FUSE (root, /dev/fuse, losetup). */
    static void assumeAvailable(String what) throws Exception {
        assumeTrue(Libc.getuid() == 0, "not root: losetup and mount need it; skipping " + what);
        assumeTrue(Files.exists(Path.of("/dev/fuse")) && Files.exists(Path.of("/dev/loop-control")),
                "no /dev/fuse or /dev/loop-control on this machine; skipping " + what);
        needTool("nbdfuse", "libnbd-bin", what);
        needTool("fusermount3", "fuse3", what);
        assumeTrue(run("losetup", "-f").code() == 0, "no free loop device; skipping " + what);
    }

    static void needTool(String tool, String pkg, String what) {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin:/sbin:/bin").split(":")) {
            found |= Files.isExecutable(Path.of(d, tool));
        }
        assumeTrue(found, tool + " is not installed (Debian package " + pkg + "); skipping " + what);
    }

    static Run run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", String.join(" ", cmd)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static Run ok(String... cmd) throws Exception {
        Run r = run(cmd);
        assertThat(r.code()).as("%s: %s", String.join(" ", cmd), r.out()).isZero();
        return r;
    }

    /** Shows the NBD export at {@code uri} as a file named {@code name} in {@code dir}, with nbdfuse. */
    Path fuse(Path dir, String name, String uri) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        new ProcessBuilder("nbdfuse", file.toString(), uri).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.push(new String[] {"fusermount3", "-u", dir.toString()});
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).as("nbdfuse shows %s", uri).exists();
        return file;
    }

    /** A loop device over {@code file}. */
    String loop(Path file) throws Exception {
        String dev = ok("losetup", "-f", "--show", file.toString()).out().strip();
        cleanup.push(new String[] {"losetup", "-d", dev});
        return dev;
    }

    /** Mounts {@code dev} on {@code dir}. */
    void mount(String dev, Path dir) throws Exception {
        Files.createDirectories(dir);
        ok("mount", dev, dir.toString());
        cleanup.push(new String[] {"umount", dir.toString()});
    }

    /** Unmounts what {@link #mount} mounted on {@code dir}, now. */
    void umount(Path dir) throws Exception {
        ok("umount", dir.toString());
        cleanup.removeIf(c -> c[0].equals("umount") && c[1].equals(dir.toString()));
    }

    /** Undoes, newest first, what is still in place. */
    @Override
    public void close() throws Exception {
        while (!cleanup.isEmpty()) {
            run(cleanup.pop());
        }
    }
}
