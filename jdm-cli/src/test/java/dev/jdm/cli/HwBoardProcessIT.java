package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.cli.HostProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated board through the host as a process: a file-backed virtio-blk in the config is
 * plugged at start, modprobe finds the bundled virtio-blk by its pci alias, the LU is exported
 * over NBD and read back by nbdcopy byte for byte; then hotplug, fault injection, surprise removal
 * and bad input through {@code jdm hw}.
 */
class HwBoardProcessIT {
    @TempDir Path tmp;

    private static JsonNode board(HostProcess host) throws Exception {
        Result r = host.jdm("hw", "board", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void shouldColdplugAFileBackedDiskBindItsDriverByAliasAndServeItsBytesOverNbd() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nbdcopy")), "nbdcopy is not installed (Debian: libnbd-bin)");
        byte[] content = new byte[16 << 20];
        new Random(42).nextBytes(content);
        Path image = Files.write(tmp.resolve("vda.img"), content);
        Path config = Files.writeString(tmp.resolve("host.toml"), """
                modules = []
                [[device]]
                kind = "virtio-blk"
                params = { file = "%s", serial = "it-vda" }
                """.formatted(image));
        try (HostProcess host = HostProcess.start(tmp.resolve("h"), pb -> { }, "--config", config.toString(), "--socket",
                tmp.resolve("h/gate.sock").toString(), "--nbd-socket", tmp.resolve("h/nbd.sock").toString())) {
            JsonNode dev = board(host).get(0);
            assertThat(dev.get("name").asText()).isEqualTo("0001:00:01.0");
            assertThat(dev.get("modalias").asText()).isEqualTo("pci:v00001AF4d00001042sv00001AF4sd00001042bc01sc80i00");
            assertThat(dev.get("driver").asText()).as("modprobe loaded the bundled driver by its alias").isEqualTo("virtio-blk");
            assertThat(dev.get("backing").asText()).isEqualTo(image.toString());
            Result dmesg = host.jdm("dmesg");
            assertThat(dmesg.out()).contains("vda, 16 MiB, serial 'it-vda'");

            Result export = host.jdm("export", "add", "vda", "--read-only");
            assertThat(export.code()).as(export.err()).isZero();
            Path copy = tmp.resolve("copy.img");
            Result nbd = HostProcess.run(List.of("nbdcopy", "nbd+unix:///vda?socket=" + host.nbdSocket(), copy.toString()));
            assertThat(nbd.code()).as(nbd.err()).isZero();
            assertThat(sha256(copy)).isEqualTo(sha256(image));

            // hotplug a RAM disk, make it fail, pull it
            Result add = host.jdm("hw", "add", "virtio-blk", "size=32M");
            assertThat(add.code()).as(add.err()).isZero();
            assertThat(add.out().trim()).isEqualTo("0001:00:02.0: virtio-blk, bound to virtio-blk");
            assertThat(host.jdm("blk", "ls").out()).contains("vdb");
            Result fault = host.jdm("hw", "fault", "0001:00:02.0", "error_every=2", "delay_us=100");
            assertThat(fault.out().trim()).isEqualTo("0001:00:02.0: faults error_every=2 delay_us=100");
            assertThat(board(host).get(1).get("faults").asText()).isEqualTo("error_every=2 delay_us=100");
            Result rm = host.jdm("hw", "rm", "0001:00:02.0");
            assertThat(rm.code()).as(rm.err()).isZero();
            assertThat(host.jdm("blk", "ls").out()).doesNotContain("vdb");
            assertThat(board(host)).hasSize(1);

            // a serial port and a USB modem: each brings its driver by its alias (pci class 07/00/02, usb interface 02/02/01)
            Result uart = host.jdm("hw", "add", "uart16550", "socket=" + tmp.resolve("s0.sock"));
            assertThat(uart.out().trim()).as(uart.err()).isEqualTo("0001:00:02.0: uart16550, bound to uart16550");
            Result acm = host.jdm("hw", "add", "cdc-acm", "socket=" + tmp.resolve("acm.sock"));
            assertThat(acm.out().trim()).as(acm.err()).isEqualTo("usb1-1: cdc-acm, bound to cdc-acm");
            Result devs = host.jdm("dev", "ls");
            assertThat(devs.out()).contains("serial0").contains("acm0");
            assertThat(host.jdm("hw", "rm", "usb1-1").code()).isZero();
            assertThat(host.jdm("hw", "rm", "0001:00:02.0").code()).isZero();
            assertThat(host.jdm("dev", "ls").out()).doesNotContain("serial0").doesNotContain("acm0");

            // bad input: one clear error each, and the board unchanged
            Result noKind = host.jdm("hw", "add", "floppy");
            assertThat(noKind.code()).isNotZero();
            assertThat(noKind.err()).contains("no device kind floppy (kinds: cdc-acm, pci-config, uart16550, virtio-blk)");
            Result noFile = host.jdm("hw", "add", "virtio-blk", "file=" + tmp.resolve("missing.img"));
            assertThat(noFile.err()).contains("cannot open " + tmp.resolve("missing.img") + " read-write: ENOENT");
            Result badParam = host.jdm("hw", "add", "virtio-blk", "size=1M", "colour=blue");
            assertThat(badParam.err()).contains("virtio-blk: unknown parameter colour (file, kicks, read_only, serial, size)");
            Result badFault = host.jdm("hw", "fault", "0001:00:01.0", "stuck_busy=2");
            assertThat(badFault.err()).contains("fault stuck_busy=2 is out of range (0 or 1)");
            Result noDevice = host.jdm("hw", "rm", "0001:00:09.0");
            assertThat(noDevice.err()).contains("no device 0001:00:09.0 on the emulated board");
            assertThat(board(host)).hasSize(1);
        }
    }
}
