package dev.jdm.hw.pci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysfsPciTest {
    @TempDir
    Path tmp;

    final List<PciDevice> devices = new SysfsPci(Fixtures.SYSFS).devices();

    PciDevice at(String address) {
        return devices.stream().filter(d -> d.address().equals(PciAddress.parse(address))).findFirst().orElseThrow();
    }

    @Test
    void shouldListEveryDeviceInLspcisOrder() {
        assertThat(devices).extracting(d -> d.address().sysfsName()).containsExactly("0000:00:00.0", "0000:00:03.0", "0000:00:1f.2", "0000:02:00.0");
    }

    @Test
    void shouldReadAVirtioNetsIdsClassAndWindows() {
        PciDevice net = at("00:03.0");
        assertThat(net.vendor()).isEqualTo(0x1af4);
        assertThat(net.device()).isEqualTo(0x1000);
        assertThat(net.subsystem()).contains(new PciDevice.Subsystem(0x1af4, 0x0001));
        assertThat(net.pciClass()).isEqualTo(new PciClass(0x02, 0x00, 0x00));
        assertThat(net.revision()).isEqualTo(OptionalInt.of(0));
        assertThat(net.irq()).isEqualTo(11);
        assertThat(net.numaNode()).isEqualTo(-1);
        assertThat(net.iommuGroup()).isEmpty();
        assertThat(net.driver()).contains("virtio-pci");
        assertThat(net.modalias()).contains("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
        assertThat(net.resources()).hasSize(7);

        List<Bar> bars = net.bars();
        assertThat(bars).extracting(Bar::index).containsExactly(0, 1, 4);
        Bar io = bars.get(0);
        assertThat(io.io()).isTrue();
        assertThat(io.memory()).isFalse();
        assertThat(io.start()).isEqualTo(0xc000L);
        assertThat(io.end()).isEqualTo(0xc01fL);
        assertThat(io.size()).isEqualTo(32);
        Bar mmio = bars.get(1);
        assertThat(mmio.memory()).isTrue();
        assertThat(mmio.is64Bit()).isFalse();
        assertThat(mmio.prefetchable()).isFalse();
        assertThat(mmio.size()).isEqualTo(4096);
        Bar wide = bars.get(2);
        assertThat(wide.memory()).isTrue();
        assertThat(wide.is64Bit()).isTrue();
        assertThat(wide.prefetchable()).isTrue();
        assertThat(wide.start()).isEqualTo(0xfe000000L);
        assertThat(wide.size()).isEqualTo(16 * 1024);
        Bar rom = net.rom().orElseThrow();
        assertThat(rom.start()).isEqualTo(0xfeb80000L);
        assertThat(rom.size()).isEqualTo(256 * 1024);

        ConfigSpace config = net.config().orElseThrow();
        assertThat(config.length()).isEqualTo(256);
        assertThat(config.u16(0)).isEqualTo(0x1af4);
        assertThat(config.u16(2)).isEqualTo(0x1000);
        assertThat(config.u8(ConfigSpace.INTERRUPT_PIN)).isEqualTo(1);
    }

    @Test
    void shouldReadAHostBridgeWithoutDriverOrWindows() {
        PciDevice bridge = at("00:00.0");
        assertThat(bridge.pciClass().baseAndSub()).isEqualTo(0x0600);
        assertThat(bridge.revision()).isEqualTo(OptionalInt.of(2));
        assertThat(bridge.driver()).isEmpty();
        assertThat(bridge.bars()).isEmpty();
        assertThat(bridge.rom().orElseThrow().present()).isFalse();
        // as an unprivileged reader sees it: the first 64 bytes only
        assertThat(bridge.config().orElseThrow().length()).isEqualTo(64);
    }

    @Test
    void shouldReadProgIfNumaNodeAndIommuGroup() {
        PciDevice sata = at("00:1f.2");
        assertThat(sata.pciClass()).isEqualTo(PciClass.of(0x010601));
        assertThat(sata.pciClass().progIf()).isEqualTo(1);
        assertThat(sata.numaNode()).isZero();
        assertThat(sata.iommuGroup()).contains("7");
        assertThat(sata.driver()).contains("ahci");
        assertThat(sata.irq()).isEqualTo(16);
    }

    @Test
    void shouldListADeviceWhoseConfigCannotBeRead() {
        PciDevice unknown = at("02:00.0");
        assertThat(unknown.vendor()).isEqualTo(0xabcd);
        assertThat(unknown.config()).isEmpty();
        assertThat(unknown.subsystem()).contains(new PciDevice.Subsystem(0, 0));
        assertThat(unknown.bars()).singleElement().satisfies(b -> assertThat(b.size()).isEqualTo(1 << 20));
    }

    @Test
    void shouldTakeTheRevisionFromConfigWhenSysfsHasNoFile() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:1f.2", tmp);
        Files.delete(dir.resolve("revision"));
        assertThat(new SysfsPci(tmp).devices().getFirst().revision()).isEqualTo(OptionalInt.of(2));
        Files.delete(dir.resolve("config"));
        assertThat(new SysfsPci(tmp).devices().getFirst().revision()).isEmpty();
    }

    @Test
    void shouldLeaveOutOptionalFilesThatAreMissing() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        for (String f : List.of("subsystem_vendor", "subsystem_device", "irq", "numa_node", "resource", "driver", "modalias", "config")) {
            Files.delete(dir.resolve(f));
        }
        PciDevice d = new SysfsPci(tmp).devices().getFirst();
        assertThat(d.subsystem()).isEmpty();
        assertThat(d.irq()).isZero();
        assertThat(d.numaNode()).isEqualTo(-1);
        assertThat(d.resources()).isEmpty();
        assertThat(d.driver()).isEmpty();
        assertThat(d.modalias()).isEqualTo(Optional.empty());
        assertThat(d.config()).isEmpty();
    }

    @Test
    void shouldNameAMalformedClassFile() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        Files.writeString(dir.resolve("class"), "ethernet\n");
        assertThatThrownBy(() -> new SysfsPci(tmp).devices()).isInstanceOf(SysfsException.class)
                .hasMessage(dir.resolve("class") + ": 'ethernet' is not a 24-bit hex number such as 0x000000");
        Files.writeString(dir.resolve("class"), "0x1020000\n");
        assertThatThrownBy(() -> new SysfsPci(tmp).devices()).hasMessageContaining("'0x1020000' is not a 24-bit hex number");
    }

    @Test
    void shouldNameAMissingVendorFile() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        Files.delete(dir.resolve("vendor"));
        assertThatThrownBy(() -> new SysfsPci(tmp).devices()).isInstanceOf(SysfsException.class)
                .hasMessage(dir.resolve("vendor") + ": missing (every PCI device has one)")
                .satisfies(e -> assertThat(((SysfsException) e).file()).isEqualTo(dir.resolve("vendor")));
    }

    @Test
    void shouldNameTheLineOfAMalformedResourceFile() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        Files.writeString(dir.resolve("resource"), "0x0000000000000000 0x0000000000000000 0x0000000000000000\n0xc000 0xc01f\n");
        assertThatThrownBy(() -> new SysfsPci(tmp).devices())
                .hasMessage(dir.resolve("resource") + ": line 2: '0xc000 0xc01f' is not 'start end flags' in 0x-prefixed hex");
    }

    @Test
    void shouldRefuseADriverThatIsNotALinkAndANameThatIsNotAnAddress() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        Files.delete(dir.resolve("driver"));
        Files.createDirectory(dir.resolve("driver"));
        assertThatThrownBy(() -> new SysfsPci(tmp).devices()).hasMessage(dir.resolve("driver") + ": is not a symbolic link (sysfs names the driver by a link)");
        Files.delete(dir.resolve("driver"));
        Files.createDirectories(tmp.resolve("bus/pci/devices/virtio0"));
        assertThatThrownBy(() -> new SysfsPci(tmp).devices()).hasMessageContaining("virtio0: the name is not a PCI address");
    }

    @Test
    void shouldSayWhenTheRootIsNoSysfsTree() {
        assertThatThrownBy(() -> new SysfsPci(tmp.resolve("nowhere")).devices()).isInstanceOf(SysfsException.class)
                .hasMessage(tmp.resolve("nowhere/bus/pci/devices") + ": no such directory (is " + tmp.resolve("nowhere") + " a sysfs tree?)");
    }
}
