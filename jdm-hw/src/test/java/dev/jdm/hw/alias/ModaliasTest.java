package dev.jdm.hw.alias;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.hw.Fixtures;
import dev.jdm.hw.pci.PciDevice;
import dev.jdm.hw.pci.SysfsPci;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModaliasTest {
    @Test
    void shouldEqualTheKernelsModaliasForEveryDeviceOnThisMachine() {
        SysfsPci live = SysfsPci.live();
        assumeTrue(Files.isDirectory(live.devicesDir()), "this machine has no /sys/bus/pci/devices");
        List<PciDevice> devices = live.devices();
        assertThat(devices).isNotEmpty();
        for (PciDevice d : devices) {
            assertThat(d.modalias()).as("%s has a modalias file", d.address()).isPresent();
            assertThat(Modalias.pci(d)).as("%s", d.address()).isEqualTo(d.modalias().get());
        }
    }

    @Test
    void shouldEqualTheFixturesModaliasFiles() {
        List<PciDevice> devices = new SysfsPci(Fixtures.SYSFS).devices();
        assertThat(devices).hasSize(4).allSatisfy(d -> assertThat(Modalias.pci(d)).isEqualTo(d.modalias().orElseThrow()));
        assertThat(Modalias.pci(devices.get(1))).isEqualTo("pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00");
    }

    @Test
    void shouldWriteZerosForADeviceWithoutSubsystemIds() {
        PciDevice d = new SysfsPci(Fixtures.SYSFS).devices().get(1);
        PciDevice bare = new PciDevice(d.address(), 0x10ec, 0x8139, java.util.Optional.empty(), dev.jdm.hw.pci.PciClass.of(0x020000),
                d.revision(), 0, -1, java.util.Optional.empty(), List.of(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty());
        assertThat(Modalias.pci(bare)).isEqualTo("pci:v000010ECd00008139sv00000000sd00000000bc02sc00i00");
    }

    @Test
    void shouldWriteAUsbInterfacesAliasAsTheKernelDoes() {
        // a USB 2.0 root hub of Linux 6.1: idVendor 1d6b, idProduct 0002, bcdDevice 0601, hub class
        // 09/00/01 with the single-TT protocol, its interface 0 of class 09/00/00
        assertThat(Modalias.usb(new UsbInterfaceIds(0x1d6b, 0x0002, 0x0601, 0x09, 0x00, 0x01, 0x09, 0x00, 0x00, 0)))
                .isEqualTo("usb:v1D6Bp0002d0601dc09dsc00dp01ic09isc00ip00in00");
        // a CDC-ACM modem's control interface: device class 02 (communications), interface 02/02/01
        // (abstract control model, AT commands), interface number 1
        assertThat(Modalias.usb(new UsbInterfaceIds(0x2341, 0x0043, 0x0001, 0x02, 0x00, 0x00, 0x02, 0x02, 0x01, 1)))
                .isEqualTo("usb:v2341p0043d0001dc02dsc00dp00ic02isc02ip01in01");
        // upper-case hex, zero-padded, all fields at their widest
        assertThat(Modalias.usb(new UsbInterfaceIds(0xffff, 0xabcd, 0xef01, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9)))
                .isEqualTo("usb:vFFFFpABCDdEF01dcFFdscFEdpFDicFCiscFBipFAinF9");
    }

    @Test
    void shouldRefuseAUsbFieldOutOfRangeNamingIt() {
        assertThatThrownBy(() -> new UsbInterfaceIds(0x10000, 0, 0, 0, 0, 0, 0, 0, 0, 0)).hasMessage("idVendor 65536 is out of range 0..65535");
        assertThatThrownBy(() -> new UsbInterfaceIds(0, 0, 0, 0, 0, 0, 0x100, 0, 0, 0)).hasMessage("bInterfaceClass 256 is out of range 0..255");
    }
}
