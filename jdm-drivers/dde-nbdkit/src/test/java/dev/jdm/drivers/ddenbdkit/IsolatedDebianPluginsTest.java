package dev.jdm.drivers.ddenbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.block.LuHandle;
import dev.jdm.symvers.JarContents;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's plugin binaries one after another in one isolated domain, under the host's default grant
 * policy (the system's shared objects, read-only): each loads with the libraries it links (the data
 * plugin's GnuTLS and its dependencies among them) from memory, and serves a read as an LU. The
 * file plugin opens its file itself, which the domain may not: it is refused in its own words.
 */
class IsolatedDebianPluginsTest {
    @TempDir
    static Path tmp;
    static Host host;
    /** Where a domain-wide rule lets domain "files" open files itself: a directory the domain's uid may enter. */
    static Path shared;

    @BeforeAll
    static void start() throws Exception {
        shared = Files.createTempDirectory(Path.of("/tmp"), "jdm-kit-files-").toRealPath();
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n"
                + "[[grant]]\nmodule = \"dde-nbdkit\"\npath = \"/usr/lib/x86_64-linux-gnu\"\n"
                + "[[grant]]\ndomain = \"isolated:files\"\npath = \"" + shared + "\"\naccess = \"rw\"\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
    }

    @AfterAll
    static void stop() throws Exception {
        host.close();
        try (var files = Files.list(shared)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(shared);
    }

    private static JarContents module() {
        return JarContents.read(Path.of("target/classes"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "memory        | size=4M                  | 4194304",
            "data          | data=1 size=1M           | 1048576",
            "pattern       | size=1M                  | 1048576",
            "null          | size=1M                  | 1048576",
            "sparse-random | size=1M                  | 1048576",
            "full          | size=1M                  | 1048576",
            "random        | size=1M                  | 1048576"})
    void shouldServeThePluginFromTheDomain(String plugin, String config, long size) throws Exception {
        host.modules().load(module(), "dde-nbdkit", Map.of("plugin", plugin, "config", config, "name", "d" + plugin,
                "domain", "isolated:debian", "recovery", "fail"), false);
        try (LuHandle lu = host.block().open("d" + plugin, "test"); Arena a = Arena.ofShared()) { // the ring thread fills it
            assertThat(lu.info().size()).isEqualTo(size);
            MemorySegment buf = a.allocate(4096);
            assertThat(lu.read(0, buf)).isZero();
            if (plugin.equals("pattern")) {
                assertThat(buf.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 8)).isEqualTo(8);
            }
        } finally {
            host.modules().unload("dde-nbdkit", false, false);
        }
        assertThat(host.modules().get("dde-nbdkit")).isEmpty();
    }

    @Test
    void shouldRefuseTheZeroPluginsEmptyDiskAndLeaveNothingLoaded() throws Exception {
        assertThatThrownBy(() -> host.modules().load(module(), "dde-nbdkit", Map.of("plugin", "zero", "name", "dzero",
                "domain", "isolated:debian", "recovery", "fail"), false)).isInstanceOf(HostException.class)
                .hasMessageContaining("less than one 512-byte block");
        // nothing half-loaded: the plugin was unloaded, so the next environment in the domain may bind the shim
        shouldServeThePluginFromTheDomain("null", "size=1M", 1 << 20);
    }

    @Test
    void shouldServeTheFilePluginWhereADomainWideRuleLetsTheDomainOpenItsFile() throws Exception {
        Path img = shared.resolve("f.img");
        Files.write(img, new byte[1 << 20]);
        Files.setPosixFilePermissions(img, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        host.modules().load(module(), "dde-nbdkit", Map.of("plugin", "file", "config", "file=" + img, "name", "dfile",
                "domain", "isolated:files"), false);
        try (LuHandle lu = host.block().open("dfile", "test"); Arena a = Arena.ofShared()) {
            MemorySegment data = a.allocate(4096).fill((byte) 0x6b);
            assertThat(lu.write(1 << 19, data, 0)).isZero();
            assertThat(lu.flush()).isZero();
        } finally {
            host.modules().unload("dde-nbdkit", false, false);
        }
        assertThat(Files.readAllBytes(img)[(1 << 19) + 17]).as("the plugin wrote the file itself").isEqualTo((byte) 0x6b);
    }

    @Test
    void shouldRefuseTheFilePluginWhichOpensItsFileItselfInItsOwnWords() throws Exception {
        Path img = Files.write(tmp.resolve("f.img"), new byte[1 << 20]);
        assertThatThrownBy(() -> host.modules().load(module(), "dde-nbdkit", Map.of("plugin", "file", "config", "file=" + img, "name", "dfile",
                "domain", "isolated:debian", "recovery", "fail"), false)).isInstanceOf(HostException.class)
                .hasMessageContaining("file: ").hasMessageContaining(img.toString());
        assertThat(host.modules().get("dde-nbdkit")).isEmpty();
    }
}
