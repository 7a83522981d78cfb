package dev.jdm.host.module;

import dev.jdm.host.config.NbdOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.LinkTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "build options" objection to a stable driver ABI: here the ABI never depends on how a host
 * is set up. Hosts with different features switched on export the same table, and a feature that
 * is switched off answers a module with a clear refusal, never with a missing symbol.
 */
class BuildOptionsAbiTest {
    @TempDir
    Path tmp;

    Host start(String name, String config, String nbdSocket) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Path cfg = config == null ? null : Files.writeString(dir.resolve("host.toml"), config);
        return Host.start(new Host.Options(cfg, dir.resolve("gate.sock"), dir.resolve("state"), Files.createDirectories(dir.resolve("bundled")),
                null, new NbdOptions(nbdSocket == null ? null : dir.resolve(nbdSocket), "off", List.of())));
    }

    static List<String> abiTable(Host h) {
        return h.exports().all().stream().filter(e -> e.provider().equals(LinkTargets.ABI))
                .map(e -> Definition.hex(e.fingerprint()) + "\t" + e.symbol() + "\t" + e.generation()).toList();
    }

    @Test
    void shouldExportTheSameAbiWhateverIsSwitchedOnAndRefuseASwitchedOffFeatureClearly() throws IOException {
        String locked = """
                modules = []
                [sysctl]
                "security.stack_locked" = "1"
                "module.init_timeout_ms" = "2000"
                [nbd]
                socket = "off"
                """;
        try (Host plain = start("plain", null, "nbd.sock"); Host restricted = start("restricted", locked, null)) {
            assertThat(abiTable(plain)).hasSizeGreaterThan(300).isEqualTo(abiTable(restricted));

            Path jar = TestModules.build(tmp.resolve("sec.jar"), TestModules.module("would-guard",
                    "ctx.security().register(new dev.jdm.abi.sec.SecurityModule() {});"));
            // linked fine (every symbol is there); refused by the switched-off feature, in words
            assertThatThrownBy(() -> restricted.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false))
                    .isInstanceOf(HostException.class).hasMessageContaining("security.stack_locked=1");
            assertThat(plain.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false).state()).isEqualTo(ModuleState.LIVE);
        }
    }
}
