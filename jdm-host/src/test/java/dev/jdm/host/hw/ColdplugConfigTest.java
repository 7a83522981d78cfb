package dev.jdm.host.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config's [[device]] entries: the good ones are plugged at start, a bad one is one clear start-up error. */
class ColdplugConfigTest {
    @TempDir
    Path dir;

    @Test
    void shouldPlugTheGoodDevicesAndNameWhatIsWrongWithTheBadOnes() throws Exception {
        Path config = Files.writeString(dir.resolve("host.toml"), """
                modules = []
                [[device]]
                kind = "virtio-blk"
                params = { size = "1M", serial = "cold" }
                [[device]]
                kind = "floppy"
                [[device]]
                kind = "virtio-blk"
                params = { file = "%s" }
                [[device]]
                kind = "virtio-blk"
                params = { size = "1M", kicks = "workers" }
                [[device]]
                kind = "virtio-blk"
                params = { size = "1M", kicks = "eventually" }
                """.formatted(dir.resolve("missing.img")));
        try (Host host = Host.start(new Host.Options(config, dir.resolve("gate.sock"), dir.resolve("state"), null, null))) {
            assertThat(host.board().list()).extracting(d -> d.kind() + " " + d.backing())
                    .containsExactly("virtio-blk RAM 1 MiB", "virtio-blk RAM 1 MiB, kicks served by workers");
            assertThat(host.startupErrors()).containsExactly(
                    "[[device]] no device kind floppy (kinds: cdc-acm, pci-config, uart16550, virtio-blk)",
                    "[[device]] virtio-blk: cannot open " + dir.resolve("missing.img") + " read-write: ENOENT",
                    "[[device]] virtio-blk: kicks=eventually is inline (the writer of the doorbell serves it) or workers (the device's threads do)");
        }
    }

    @Test
    void shouldRefuseADeviceEntryWithoutAKindWithTheFileAndLine() throws Exception {
        Path config = Files.writeString(dir.resolve("host.toml"), "modules = []\n[[device]]\nparams = { size = \"1M\" }\n");
        assertThatThrownBy(() -> Host.start(new Host.Options(config, dir.resolve("gate.sock"), dir.resolve("state"), null, null)))
                .isInstanceOf(HostException.class).hasMessageContaining("host.toml").hasMessageContaining("a [[device]] entry has no kind");
    }

    @Test
    void shouldRefuseADriverWhoseModuleDeclaresNoIdTableAndLeaveNothingLoaded() throws Exception {
        Path config = Files.writeString(dir.resolve("host.toml"), "modules = []\n");
        try (Host host = Host.start(new Host.Options(config, dir.resolve("gate.sock"), dir.resolve("state"), null, null))) {
            Path jar = dev.jdm.host.TestModules.build(dir.resolve("noids.jar"),
                    dev.jdm.host.TestModules.module("noids", "ctx.hw().register(d -> () -> { });"));
            assertThatThrownBy(() -> host.modules().load(dev.jdm.symvers.JarContents.read(jar), jar.toString(), java.util.Map.of(), false))
                    .hasMessageContaining("noids declares no @PciId or @PlatformId, so no device can match it");
            assertThat(host.modules().get("noids")).isEmpty();
        }
    }
}
