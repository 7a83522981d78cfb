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
import org.junit.jupiter.api.Test;

/**
 * The walkthrough's filesystem, end to end with real kernel tools: {@code jdm host} exports ram0;
 * nbdfuse and losetup make it a kernel block device; sfdisk's partition table is refused while the
 * boot guard is up and accepted once it is lowered; the block layer finds ram0p1, which is exported
 * and carries an ext4 filesystem that is mounted, written, remounted, read back and fsck'ed. Needs
 * root, /dev/fuse and loop devices; skips with a message where the machine cannot do it.
 */
class FilesystemOverNbdIT {
    private final Deque<String[]> cleanup = new ArrayDeque<>();

    record Run(int code, String out) {}

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

    static void needTool(String tool, String pkg) {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/sbin:/sbin:/bin").split(":")) {
            found |= Files.isExecutable(Path.of(d, tool));
        }
        assumeTrue(found, tool + " is not installed (Debian package " + pkg + "); skipping the filesystem test");
    }

    /** Mounts an export with nbdfuse and returns the file it shows. */
    Path fuse(Path dir, String export, Path nbdSocket) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve(export);
        new ProcessBuilder("nbdfuse", file.toString(), "nbd+unix:///" + export + "?socket=" + nbdSocket).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.push(new String[] {"fusermount3", "-u", dir.toString()});
        for (int i = 0; i < 100 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).as("nbdfuse shows the export").exists();
        return file;
    }

    String loop(Path file) throws Exception {
        String dev = ok("losetup", "-f", "--show", file.toString()).out().strip();
        cleanup.push(new String[] {"losetup", "-d", dev});
        return dev;
    }

    @Test
    void shouldPartitionFormatMountAndCheckAFilesystemOnRam0p1() throws Exception {
        assumeTrue(Libc.getuid() == 0, "not root: losetup and mount need it; skipping the filesystem test");
        assumeTrue(Files.exists(Path.of("/dev/fuse")) && Files.exists(Path.of("/dev/loop-control")),
                "no /dev/fuse or /dev/loop-control on this machine; skipping the filesystem test");
        needTool("nbdfuse", "libnbd-bin");
        needTool("fusermount3", "fuse3");
        needTool("sfdisk", "fdisk");
        needTool("mkfs.ext4", "e2fsprogs");
        assumeTrue(run("losetup", "-f").code() == 0, "no free loop device; skipping the filesystem test");

        try (HostProcess host = HostProcess.start("jdm-fs-it", "--nbd-tcp", "off")) {
            Path dir = host.dir();
            Path nbdSocket = host.nbdSocket();

            String disk = loop(fuse(dir.resolve("disk"), "ram0", nbdSocket));
            Run refused = run("sh", "-c", "echo 'start=2048, type=83' | sfdisk --no-reread " + disk);
            assertThat(host.jdm("blk", "ls", "ram0").out()).as("the table was not written: %s", refused.out()).containsPattern("ram0 .* none ");
            assertThat(refused.code()).as("sfdisk fails while the boot guard is up: %s", refused.out()).isNotZero();

            assertThat(host.jdm("blk", "guard", "ram0", "0").code()).isZero();
            ok("sh", "-c", "echo 'start=2048, type=83' | sfdisk --no-reread " + disk);
            String lus = "";
            for (int i = 0; i < 50 && !lus.contains("ram0p1"); i++) {
                Thread.sleep(100);
                lus = host.jdm("blk", "ls").out();
            }
            assertThat(lus).as("the block layer found the new partition").containsPattern("ram0p1\\s+255 MiB");
            assertThat(host.jdm("export", "add", "ram0p1").code()).isZero();

            String part = loop(fuse(dir.resolve("part"), "ram0p1", nbdSocket));
            ok("mkfs.ext4", "-q", "-F", part);
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            ok("mount", part, mnt.toString());
            cleanup.push(new String[] {"umount", mnt.toString()});
            ok("sh", "-c", "head -c 8M /dev/urandom > " + mnt.resolve("data.bin") + " && mkdir " + mnt.resolve("d") + " && echo hello > "
                    + mnt.resolve("d/hello.txt"));
            String sum = ok("sha256sum", mnt.resolve("data.bin").toString()).out().split(" ")[0];
            ok("umount", mnt.toString());
            ok("mount", part, mnt.toString());
            assertThat(ok("sha256sum", mnt.resolve("data.bin").toString()).out()).startsWith(sum);
            assertThat(Files.readString(mnt.resolve("d/hello.txt"))).isEqualTo("hello\n");
            ok("umount", mnt.toString());
            ok("fsck.ext4", "-f", "-n", part);
        } finally {
            while (!cleanup.isEmpty()) {
                run(cleanup.pop());
            }
        }
    }
}
