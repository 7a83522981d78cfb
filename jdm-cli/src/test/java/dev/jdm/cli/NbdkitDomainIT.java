package dev.jdm.cli;

import static dev.jdm.cli.HostProcess.CLI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.cli.HostProcess.Result;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * nbdkit plugin binaries in isolated domains, through the real CLI against {@code jdm host} started
 * as a process: Debian's memory plugin by name, loaded from what the host's default grant policy
 * grants (no taint, no sysctl), with its holes reaching {@code nbdinfo --map}; and a plugin that
 * dereferences NULL on its 1000th write, under fio's crc32c verification through NBD: the domain
 * dies by SIGSEGV, is restarted, and fio finishes with no error. {@code jdm grant ls} shows who
 * holds what.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NbdkitDomainIT {
    static HostProcess host;
    static Path plugins;
    static final String JAR = CLI.resolve("modules/dde-nbdkit.jar").toString();

    @BeforeAll
    static void startHost() throws Exception {
        Path dir = Files.createTempDirectory("jdm-kit-it").toRealPath();
        plugins = Files.createDirectories(dir.resolve("plugins"));
        Path src = Path.of("../jdm-dde/src/test/c").toAbsolutePath().normalize();
        Result gcc = HostProcess.run(java.util.List.of("gcc", "-fPIC", "-shared", "-O2", "-Wall", "-Werror", "-std=gnu11", "-fvisibility=hidden",
                "-o", plugins.resolve("nbdkit-jdmcrash-plugin.so").toString(), src.resolve("jdmcrash.c").toString()));
        assertThat(gcc.code()).as(gcc.err()).isZero();
        Path config = Files.writeString(dir.resolve("host.toml"), "modules = []\n"
                + "[[grant]]\nmodule = \"dde-nbdkit\"\npath = \"/usr/lib/x86_64-linux-gnu\"\n"
                + "[[grant]]\nmodule = \"dde-nbdkit\"\npath = \"" + plugins + "\"\n");
        host = HostProcess.start(dir, pb -> { }, "--config", config.toString(), "--nbd-tcp", "off");
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    static JsonNode domain(String name) throws Exception {
        Result ls = host.jdm("domain", "ls", name, "--json");
        assertThat(ls.code()).as(ls.err()).isZero();
        return new ObjectMapper().readTree(ls.out()).get(0);
    }

    @Test
    @Order(1)
    void shouldServeDebiansMemoryPluginFromAnIsolatedDomainWithItsHoles() throws Exception {
        NbdPeersIT.need("nbdinfo", "libnbd-bin");
        NbdPeersIT.need("qemu-io", "qemu-utils");
        Result ins = host.jdm("insmod", "--domain", "isolated:mem", JAR, "plugin=memory", "config=size=16M", "name=kitm0", "recovery=fail");
        assertThat(ins.code()).as(ins.err()).isZero();
        assertThat(host.jdm("taint").out()).doesNotContain("X");
        assertThat(host.jdm("export", "add", "kitm0").code()).isZero();
        String uri = "nbd+unix:///kitm0?socket=" + host.nbdSocket();
        Result w = HostProcess.run(java.util.List.of("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", "-c", "read -P 0x5a 1M 64k", uri));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.out()).doesNotContain("Pattern verification failed");
        Result map = HostProcess.run(java.util.List.of("nbdinfo", "--map", uri));
        assertThat(map.code()).as(map.err()).isZero();
        assertThat(map.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList())
                .as("the memory plugin's own extents, from the domain, through the LU and NBD")
                .containsExactly("0 1048576 3 hole,zero", "1048576 65536 0 data", "1114112 15663104 3 hole,zero");

        Result grants = host.jdm("grant", "ls", "--module", "dde-nbdkit", "--json");
        assertThat(grants.code()).as(grants.err()).isZero();
        JsonNode g = new ObjectMapper().readTree(grants.out());
        assertThat(g.get("rules").toString()).contains(plugins.toString());
        assertThat(g.get("params_granted").asBoolean()).isTrue();
        assertThat(domain("mem").get("grants").toString()).as("what the domain's modules hold now").isEqualTo("[]");
        assertThat(host.jdm("dmesg").out()).contains("dde-nbdkit: /usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-memory-plugin.so (ro, rule /usr/lib/x86_64-linux-gnu)");
    }

    @org.junit.jupiter.api.AfterEach
    void unload() throws Exception {
        host.jdm("export", "rm", "kitm0");
        host.jdm("export", "rm", "kitc0");
        host.jdm("rmmod", "dde-nbdkit");
    }

    @Test
    @Order(2)
    void shouldRestartTheDomainWhenThePluginSegfaultsWhileFioVerifies() throws Exception {
        NbdPeersIT.need("fio", "fio");
        assumeTrue(DomainProcessIT.run("fio", "--enghelp").contains("nbd"), "this fio has no nbd engine (built without libnbd); skipping");
        Path img = host.dir().resolve("crash.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength((64L << 20) + 4096);
        }
        Result ins = host.jdm("insmod", "--domain", "isolated:crash", JAR, "plugin=" + plugins.resolve("nbdkit-jdmcrash-plugin.so"),
                "file=" + img, "config=crash-write=1000", "name=kitc0");
        assertThat(ins.code()).as(ins.err()).isZero();
        long pid = domain("crash").get("pid").asLong();
        assertThat(domain("crash").get("grants").toString()).contains("dde-nbdkit file " + img + " (rw)");
        Result grants = host.jdm("grant", "ls");
        assertThat(grants.out()).containsPattern("(?m)^dde-nbdkit\\s+isolated:crash\\s+file\\s+" + java.util.regex.Pattern.quote(img.toString())
                + "\\s+rw\\s+param file$");
        assertThat(host.jdm("export", "add", "kitc0").code()).isZero();
        String uri = "nbd+unix:///kitc0?socket=" + host.nbdSocket();
        Process fio = new ProcessBuilder("fio", "--name=segv", "--ioengine=nbd", "--uri=" + uri, "--rw=randwrite", "--bs=4k", "--offset=1M",
                "--size=32M", "--iodepth=16", "--verify=crc32c", "--do_verify=1", "--verify_fatal=1", "--verify_state_save=0")
                .redirectErrorStream(true).start();
        String out = new String(fio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(fio.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(fio.exitValue()).as(out).isZero();
        assertThat(out).contains("err= 0").doesNotContain("verify: bad");
        JsonNode d = domain("crash");
        assertThat(d.get("restarts").asInt()).as("the 1000th write crashed the domain once").isEqualTo(1);
        assertThat(d.get("pid").asLong()).isNotEqualTo(pid);
        assertThat(d.get("state").asText()).isEqualTo("running");
        String dmesg = host.jdm("dmesg").out();
        assertThat(dmesg).contains("crash: pid " + pid + " crashed").contains("crash: recovered in");
        assertThat(host.jdm("blk", "stat", "kitc0", "--json").out()).as(dmesg).contains("\"errors\" : 0");
        System.out.println("NbdkitDomainIT: the plugin's SIGSEGV at write 1000 restarted domain crash; fio: " + out.lines()
                .filter(l -> l.contains("err=")).findFirst().orElse("").trim());
    }
}
