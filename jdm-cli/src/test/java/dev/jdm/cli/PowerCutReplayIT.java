package dev.jdm.cli;

import static dev.jdm.cli.KernelDisks.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.drivers.logdisk.LogFormat;
import dev.jdm.drivers.logdisk.ReplayChecker;
import dev.jdm.drivers.logdisk.WriteLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Power-cut durability of the whole stack, proven by replaying write logs: a real host serves a
 * logdisk LU over NBD, a real client writes through an {@link NbdRecorder} that notes every
 * acknowledgement, and the replay checker rebuilds every state a power cut after each log entry
 * could leave and finds every promised write in it. fio drives one run (random writes of 4–64 KiB
 * at queue depth 16 with fsync=32, then fio's own crc32c verify); ext4 through nbdfuse and
 * a loop device drives the other, whose cuts after mkfs are also replayed into images that e2fsck
 * must find consistent once their journal is recovered, as dm-log-writes is used.
 */
class PowerCutReplayIT {
    private static final long FIO_SIZE = 64L << 20;
    private static final long EXT4_SIZE = 128L << 20;

    @Test
    void shouldKeepEveryPromiseToFioAtEveryCut() throws Exception {
        KernelDisks.needTool("fio", "fio", "the fio replay run");
        try (HostProcess host = HostProcess.start("jdm-replay-fio", "--nbd-tcp", "off")) {
            Path log = logDisk(host, "logfio", FIO_SIZE, "y");
            try (NbdRecorder rec = new NbdRecorder(host.dir().resolve("rec.sock"), host.nbdSocket())) {
                HostProcess.Result fio = HostProcess.run(List.of("fio", "--name=replay", "--ioengine=nbd", "--uri=" + rec.uri("logfio"),
                        "--rw=randwrite", "--bsrange=4k-64k", "--iodepth=16", "--offset=1M", "--size=48M", "--fsync=32", "--end_fsync=1",
                        "--verify=crc32c", "--do_verify=1", "--verify_state_save=0", "--randrepeat=0", "--output-format=terse"), 600);
                assertThat(fio.code()).as("fio: %s%s", fio.out(), fio.err()).isZero();
                assertThat(rec.failures()).isEmpty();
                check("fio", log, FIO_SIZE, rec, 32); // fio flushes after every 32 writes; the last few may follow its last flush
            }
        }
    }

    @Test
    void shouldKeepEveryPromiseToExt4AndLeaveAConsistentFilesystemAtEveryFlush() throws Exception {
        String what = "the ext4 replay run";
        KernelDisks.assumeAvailable(what);
        KernelDisks.needTool("mkfs.ext4", "e2fsprogs", what);
        try (HostProcess host = HostProcess.start("jdm-replay-ext4", "--nbd-tcp", "off")) {
            Path log = logDisk(host, "logext", EXT4_SIZE, "n");
            assertThat(host.jdm("blk", "guard", "logext", "0").code()).as("mkfs writes the boot area").isZero();
            Path dir = host.dir();
            int formatted;
            try (NbdRecorder rec = new NbdRecorder(dir.resolve("rec.sock"), host.nbdSocket()); KernelDisks disks = new KernelDisks()) {
                String dev = disks.loop(disks.fuse(dir.resolve("fuse"), "logext", rec.uri("logext")));
                ok("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", dev);
                ok("sync");
                formatted = WriteLog.read(log).entries().size();
                Path mnt = dir.resolve("mnt");
                disks.mount(dev, mnt);
                // files written, some synced, some removed and rewritten, a directory tree, then the unmount's flush
                ok("sh", "-c", "cd " + mnt + " && for i in $(seq 1 300); do head -c $((i * 797)) /dev/urandom > f$i; "
                        + "[ $((i % 5)) -eq 0 ] && sync f$i; done; mkdir -p d/e/f && cp f1* d/e/f/ && sync && rm f2* "
                        + "&& head -c 4M /dev/urandom > big && sync big && for i in $(seq 20 29); do head -c 3000 /dev/urandom > f$i; done");
                disks.umount(mnt);
                disks.close();
                assertThat(rec.failures()).isEmpty();
                check("ext4", log, EXT4_SIZE, rec, 0); // the unmount flushes everything
            }
            fsckAtFlushes(log, formatted, dir);
        }
    }

    /** Loads logdisk as LU {@code name}, logging to a new file in the host's directory, and exports it. */
    private static Path logDisk(HostProcess host, String name, long size, String fua) throws Exception {
        Path log = Files.createFile(host.dir().resolve(name + ".log"));
        HostProcess.Result ins = host.jdm("insmod", HostProcess.CLI.resolve("modules/logdisk.jar").toString(), "name=" + name,
                "size=" + (size >> 20) + "M", "log=" + log, "fua=" + fua);
        assertThat(ins.code()).as("insmod logdisk: %s", ins.err()).isZero();
        assertThat(host.jdm("export", "add", name).code()).isZero();
        return log;
    }

    private static void check(String run, Path logFile, long size, NbdRecorder rec, int maxUnpromised) throws Exception {
        WriteLog log = WriteLog.read(logFile);
        ReplayChecker.Result r = ReplayChecker.check(log, size, rec.writes(), rec.flushes());
        long logFlushes = log.entries().stream().filter(e -> e.kind() == LogFormat.FLUSH).count();
        System.out.printf("%s replay: %d log entries (%d flushes), %d writes and %d flushes acknowledged, %d cuts, %d writes promised, "
                + "%d sector checks, %d violations%n", run, log.entries().size(), logFlushes, rec.writes().size(), rec.flushes().size(),
                r.cuts(), r.promised(), r.sectorChecks(), r.violationCount());
        assertThat(r.violations()).as("promises broken").isEmpty();
        assertThat(rec.writes()).hasSizeGreaterThan(100);
        assertThat(rec.flushes()).hasSizeGreaterThan(10);
        assertThat(r.promised()).as("writes promised: all but those after the last flush").isBetween((long) rec.writes().size() - maxUnpromised,
                (long) rec.writes().size());
        assertThat(r.cuts()).isEqualTo(log.entries().size());
    }

    /** Every state a cut just after a FLUSH entry leaves, once mkfs was done, is a file system e2fsck accepts after journal recovery. */
    private static void fsckAtFlushes(Path logFile, int formatted, Path dir) throws Exception {
        WriteLog log = WriteLog.read(logFile);
        List<Integer> cuts = new ArrayList<>(IntStream.range(formatted, log.entries().size())
                .filter(i -> log.entries().get(i).kind() == LogFormat.FLUSH).mapToObj(i -> i + 1).toList());
        assertThat(cuts).as("flushes while the file system was mounted").hasSizeGreaterThan(3);
        int step = 1; // every one: e2fsck of a 128 MiB image takes a few tens of milliseconds
        int checked = 0;
        Path img = dir.resolve("cut.img");
        for (int k = 0; k < cuts.size(); k += step) {
            int cut = cuts.get(k);
            log.image(cut, img, EXT4_SIZE);
            KernelDisks.Run journal = KernelDisks.run("e2fsck", "-f", "-y", "-E", "journal_only", img.toString());
            assertThat(journal.code()).as("journal recovery at cut %d: %s", cut, journal.out()).isLessThanOrEqualTo(1);
            KernelDisks.Run fsck = KernelDisks.run("e2fsck", "-f", "-n", img.toString());
            assertThat(fsck.code()).as("e2fsck at the cut after entry %d of %d: %s", cut - 1, log.entries().size(), fsck.out()).isZero();
            checked++;
        }
        System.out.printf("ext4 replay: %d of %d flush cuts after mkfs rebuilt and checked by e2fsck, all consistent%n", checked, cuts.size());
        Files.delete(img);
    }
}
