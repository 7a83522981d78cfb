package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.cli.HostProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdm hw ls} as a process: against the real lspci on this machine's real devices, line for
 * line, and on jdm-hw's fixture tree for its errors and exit codes. No host runs: the command
 * reads sysfs itself.
 */
class HwProcessIT {
    static final Path FIXTURES = Path.of("../jdm-hw/src/test/resources").toAbsolutePath().normalize();
    static final Path LSPCI = Path.of("/usr/bin/lspci");
    /** What jdm hw ls -v leaves out of lspci -v (docs/hw/enumeration.md): these lines are dropped from lspci's before comparing. */
    static final List<String> NOT_SHOWN = List.of("\tCapabilities:", "\tKernel modules:", "\tPhysical Slot:", "\tDevice tree node:", "\tDeviceName:");

    @TempDir
    Path tmp;

    static Result jdm(String... args) throws Exception {
        return HostProcess.run(HostProcess.javaCommandAt(Path.of("/nonexistent/gate.sock"), args));
    }

    static List<String> lspci(String... args) throws Exception {
        assumeTrue(Files.isExecutable(LSPCI), "lspci is not installed (Debian: pciutils)");
        List<String> cmd = new java.util.ArrayList<>(List.of(LSPCI.toString()));
        cmd.addAll(List.of(args));
        Result r = HostProcess.run(cmd);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().lines().toList();
    }

    @Test
    void shouldListThisMachineLineForLineAsLspciNn() throws Exception {
        List<String> expected = lspci("-nn");
        Result r = jdm("hw", "ls", "-nn");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(expected).as("lspci sees devices here").isNotEmpty();
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldListThisMachineLineForLineAsPlainLspci() throws Exception {
        List<String> expected = lspci();
        Result r = jdm("hw", "ls");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).isNotEmpty().containsExactlyElementsOf(expected);
    }

    @Test
    void shouldListThisMachineAsLspciVWithoutWhatItLeavesOut() throws Exception {
        List<String> expected = lspci("-v").stream().filter(l -> NOT_SHOWN.stream().noneMatch(l::startsWith)).toList();
        Result r = jdm("hw", "ls", "-v");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(expected);
        List<String> numbers = lspci("-n");
        assertThat(jdm("hw", "ls", "-n").out().lines().toList()).containsExactlyElementsOf(numbers);
    }

    @Test
    void shouldListTheFixtureTreeWithTheFixtureDatabase() throws Exception {
        Result r = jdm("hw", "ls", "-nn", "--sysfs-root", FIXTURES.resolve("sysfs").toString(), "--pci-ids", FIXTURES.resolve("pci.ids").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(Files.readAllLines(FIXTURES.resolve("expected/lspci-nn.txt")));
        Result v = jdm("hw", "ls", "-v", "--sysfs-root", FIXTURES.resolve("sysfs").toString(), "--pci-ids", FIXTURES.resolve("pci.ids").toString());
        assertThat(v.out().lines().toList()).containsExactlyElementsOf(Files.readAllLines(FIXTURES.resolve("expected/lspci-v.txt")));
    }

    @Test
    void shouldGiveEveryFieldAsJson() throws Exception {
        Result r = jdm("hw", "ls", "--json", "--sysfs-root", FIXTURES.resolve("sysfs").toString(), "--pci-ids", FIXTURES.resolve("pci.ids").toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertThat(rows).hasSize(4);
        JsonNode net = rows.get(1);
        assertThat(net.get("address").asText()).isEqualTo("0000:00:03.0");
        assertThat(net.get("vendor_name").asText()).isEqualTo("Red Hat, Inc.");
        assertThat(net.get("subsystem_name").asText()).isEqualTo("QEMU virtio-net");
        assertThat(net.get("driver").asText()).isEqualTo("virtio-pci");
        assertThat(net.get("modalias").asText()).isEqualTo("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
        assertThat(net.get("bars")).hasSize(3);
        assertThat(net.get("bars").get(2).get("bits").asInt()).isEqualTo(64);
        assertThat(net.get("bars").get(2).get("prefetchable").asBoolean()).isTrue();
        assertThat(net.get("bars").get(0).get("space").asText()).isEqualTo("io");
        assertThat(net.get("rom").get("size").asLong()).isEqualTo(256 * 1024);
        assertThat(rows.get(3).get("vendor_name").isNull()).isTrue();
    }

    @Test
    void shouldNameAMissingTreeOrDatabaseAndExit2() throws Exception {
        Result root = jdm("hw", "ls", "--sysfs-root", tmp.resolve("none").toString());
        assertThat(root.code()).isEqualTo(2);
        assertThat(root.err().strip()).isEqualTo("jdm hw ls: " + tmp.resolve("none") + ": no such directory (--sysfs-root names a sysfs tree such as /sys)");
        Result notSysfs = jdm("hw", "ls", "--sysfs-root", tmp.toString());
        assertThat(notSysfs.code()).isEqualTo(2);
        assertThat(notSysfs.err()).contains(tmp.resolve("bus/pci/devices") + ": no such directory");
        Result ids = jdm("hw", "ls", "--sysfs-root", FIXTURES.resolve("sysfs").toString(), "--pci-ids", tmp.resolve("pci.ids").toString());
        assertThat(ids.code()).isEqualTo(2);
        assertThat(ids.err().strip()).isEqualTo("jdm hw ls: " + tmp.resolve("pci.ids") + ": cannot read (No such file or directory)");
        assertThat(ids.out()).isEmpty();
    }

    @Test
    void shouldNameTheFileAtFaultAndExit2() throws Exception {
        Path bad = Files.writeString(tmp.resolve("pci.ids"), "8086  Intel Corporation\n\tzz  Not a device\n");
        Result ids = jdm("hw", "ls", "--sysfs-root", FIXTURES.resolve("sysfs").toString(), "--pci-ids", bad.toString());
        assertThat(ids.code()).isEqualTo(2);
        assertThat(ids.err()).contains(bad + ", line 2: expected a device ID of 4 hex digits");

        Path dev = Files.createDirectories(tmp.resolve("sysfs/bus/pci/devices/0000:00:03.0"));
        Files.writeString(dev.resolve("vendor"), "0x1af4\n");
        Files.writeString(dev.resolve("device"), "0x1000\n");
        Files.writeString(dev.resolve("class"), "network\n");
        Result cls = jdm("hw", "ls", "-n", "--sysfs-root", tmp.resolve("sysfs").toString());
        assertThat(cls.code()).isEqualTo(2);
        assertThat(cls.err().strip()).isEqualTo("jdm hw ls: " + dev.resolve("class") + ": 'network' is not a 24-bit hex number such as 0x000000");
        Result both = jdm("hw", "ls", "-n", "-nn");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("-n and -nn exclude each other");
    }
}
