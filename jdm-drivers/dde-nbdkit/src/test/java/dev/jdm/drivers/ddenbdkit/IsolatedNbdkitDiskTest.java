package dev.jdm.drivers.ddenbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.HostException;
import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.log.LogRecord;
import dev.jdm.symvers.JarContents;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nbdkit environment in an isolated domain, where Landlock lets the module open no path: the
 * plugin binary and each library it needs that the domain lacks are granted by the host under its
 * grant policy and loaded from memory; the shim too. Debian's memory plugin passes the block driver
 * contract there (with recovery=fail: its data lives in the domain), no taint is needed, and a
 * plugin that dereferences NULL on its 1000th write takes down its domain only: the domain restarts,
 * the write is replayed and every block reads back as written.
 */
class IsolatedNbdkitDiskTest extends BlockDriverContract {
    @TempDir
    static Path plugins;
    static Path pluginDir;
    static Path crashPlugin;

    @BeforeAll
    static void buildCrashPlugin() throws Exception {
        pluginDir = plugins.toRealPath(); // rules match real paths
        crashPlugin = TestPlugin.build("jdmcrash", pluginDir);
    }

    @Override
    protected String moduleName() {
        return "dde-nbdkit";
    }

    @Override
    protected String hostConfig() {
        // the default rule (system libraries), and the directory the test plugin was built in
        return "[[grant]]\nmodule = \"dde-nbdkit\"\npath = \"/usr/lib/x86_64-linux-gnu\"\n"
                + "[[grant]]\nmodule = \"dde-nbdkit\"\npath = \"" + pluginDir + "\"\n";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) {
        return Map.of("plugin", "memory", "config", "size=16M", "name", "kit0", "domain", "isolated:kit", "recovery", "fail");
    }

    @Override
    protected String luName() {
        return "kit0";
    }

    private Domain domain() {
        return host.domains().find("kit").orElseThrow();
    }

    @Test
    void shouldLoadThePluginAndItsLibrariesFromGrantedFilesIntoMemoryInTheDomain() throws Exception {
        assertThat(host.modules().get("dde-nbdkit").orElseThrow().domain()).isEqualTo("isolated:kit");
        assertThat(host.sysctl().get("kernel.tainted").orElseThrow()).as("native code contained: no taint").doesNotContain("X");
        assertThat(host.log().since(0).stream().map(LogRecord::message))
                .anyMatch(m -> m.matches("dde-nbdkit: /usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-memory-plugin.so \\(ro, rule /usr/lib/x86_64-linux-gnu\\)"))
                .anyMatch(m -> m.matches("dde-nbdkit: /usr/lib/x86_64-linux-gnu/libzstd\\.so\\.1[.0-9]* \\(ro, rule /usr/lib/x86_64-linux-gnu\\)"))
                .as("the registration's partition scan reads through the plugin's connection").noneMatch(m -> m.contains("read failed"));
        String maps = Files.readString(Path.of("/proc/" + domain().pid() + "/maps"));
        assertThat(maps).contains("/memfd:nbdkit-memory-plugin.so").contains("/memfd:libzstd.so.1").contains("/memfd:libjdm-nbdkit.so")
                .doesNotContain("/usr/lib/x86_64-linux-gnu/nbdkit/plugins/");
        MemorySegment data = pattern(65536, 5);
        assertThat(lu.write(1 << 20, data, 0)).isZero();
        assertThat(read(1 << 20, 65536).mismatch(data)).isEqualTo(-1);
    }

    @Test
    void shouldReportThePluginsHolesFromTheDomain() throws Exception {
        assertThat(lu.write(1 << 20, pattern(65536, 9), 0)).isZero();
        assertThat(extents(0, info.size())).extracting(r -> r[0] + "/" + r[1])
                .as("the memory plugin's own map, asked through the ring")
                .containsExactly((1 << 20) + "/3", "65536/0", (info.size() - (1 << 20) - 65536) + "/3");
    }

    @Test
    void shouldRefuseAPluginNoRuleGrants(@TempDir Path elsewhere) throws Exception {
        Path copy = Files.copy(crashPlugin, elsewhere.resolve("nbdkit-stray-plugin.so"));
        lu.close();
        lu = null;
        host.modules().unload("dde-nbdkit", false, false);
        Map<String, String> params = Map.of("plugin", copy.toString(), "name", "kit1", "domain", "isolated:kit");
        assertThatThrownBy(() -> host.modules().load(JarContents.read(moduleClasses()), "dde-nbdkit", params, false))
                .isInstanceOf(HostException.class).hasMessageContaining(copy.toRealPath() + " is not granted to dde-nbdkit by the host's grant policy");
        assertThat(host.block().list()).extracting(dev.jdm.host.block.LuInfo::name).doesNotContain("kit1");
    }

    @Test
    void shouldRestartTheDomainWhenThePluginCrashesAndLoseNoWrite() throws Exception {
        Path img = tmp.resolve("crash.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength((16L << 20) + 4096); // 16 MiB of disk, and the plugin's own last 4096 bytes
        }
        lu.close();
        lu = null;
        host.modules().unload("dde-nbdkit", false, false);
        Map<String, String> params = new HashMap<>(Map.of("plugin", crashPlugin.toString(), "file", img.toString(), "config", "crash-write=1000",
                "name", "crash0", "domain", "isolated:kit"));
        host.modules().load(JarContents.read(moduleClasses()), "dde-nbdkit", params, false);
        int restarts = domain().restarts();
        long pid = domain().pid();
        lu = host.block().open("crash0", "crash");
        int blocks = 2000;
        long base = 1 << 20; // past the boot area, which the LU guards
        for (int i = 0; i < blocks; i++) {
            assertThat(lu.write(base + (long) i * 4096, pattern(4096, i), 0)).as("write %d", i).isZero();
        }
        assertThat(lu.flush()).isZero();
        for (int i = 0; i < blocks; i++) {
            assertThat(read(base + (long) i * 4096, 4096).mismatch(pattern(4096, i))).as("block %d", i).isEqualTo(-1);
        }
        assertThat(domain().restarts()).as("one crash, one restart").isEqualTo(restarts + 1);
        assertThat(domain().pid()).isNotEqualTo(pid);
        assertThat(host.log().since(0).stream().map(LogRecord::message)).anyMatch(m -> m.contains("kit: pid " + pid + " crashed"))
                .as("the JVM's fatal-error report, in the host's log under the domain").anyMatch(m -> m.startsWith("kit: output: #  SIGSEGV"))
                .anyMatch(m -> m.contains("jdmcrash: crashed once already: not again") || m.contains("recovered in"));
    }
}
