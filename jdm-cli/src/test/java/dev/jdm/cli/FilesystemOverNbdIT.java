package dev.jdm.cli;

import static dev.jdm.cli.KernelDisks.ok;
import static dev.jdm.cli.KernelDisks.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The walkthrough's filesystem, end to end with real kernel tools: {@code jdm host} exports ram0;
 * nbdfuse and losetup make it a kernel block device; sfdisk's partition table is refused while the
 * boot guard is up and accepted once it is lowered; the block layer finds ram0p1, which is exported
 * and carries an ext4 filesystem that is mounted, written, remounted, read back and fsck'ed. Needs
 * root, /dev/fuse and loop devices; skips with a message where the machine cannot do it.
 */
class FilesystemOverNbdIT {
    @Test
    void shouldPartitionFormatMountAndCheckAFilesystemOnRam0p1() throws Exception {
        String what = "the filesystem test";
        KernelDisks.assumeAvailable(what);
        KernelDisks.needTool("sfdisk", "fdisk", what);
        KernelDisks.needTool("mkfs.ext4", "e2fsprogs", what);

        try (HostProcess host = HostProcess.start("jdm-fs-it", "--nbd-tcp", "off"); KernelDisks disks = new KernelDisks()) {
            Path dir = host.dir();
            Path nbdSocket = host.nbdSocket();

            String disk = disks.loop(disks.fuse(dir.resolve("disk"), "ram0", "nbd+unix:///ram0?socket=" + nbdSocket));
            KernelDisks.Run refused = run("sh", "-c", "echo 'start=2048, type=83' | sfdisk --no-reread " + disk);
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

            String part = disks.loop(disks.fuse(dir.resolve("part"), "ram0p1", "nbd+unix:///ram0p1?socket=" + nbdSocket));
            ok("mkfs.ext4", "-q", "-F", part);
            Path mnt = dir.resolve("mnt");
            disks.mount(part, mnt);
            ok("sh", "-c", "head -c 8M /dev/urandom > " + mnt.resolve("data.bin") + " && mkdir " + mnt.resolve("d") + " && echo hello > "
                    + mnt.resolve("d/hello.txt"));
            String sum = ok("sha256sum", mnt.resolve("data.bin").toString()).out().split(" ")[0];
            disks.umount(mnt);
            disks.mount(part, mnt);
            assertThat(ok("sha256sum", mnt.resolve("data.bin").toString()).out()).startsWith(sum);
            assertThat(Files.readString(mnt.resolve("d/hello.txt"))).isEqualTo("hello\n");
            disks.umount(mnt);
            ok("fsck.ext4", "-f", "-n", part);
        }
    }
}
