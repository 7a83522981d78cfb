package dev.jdm.hw.lspci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.Fixtures;
import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.pci.PciDevice;
import dev.jdm.hw.pci.SysfsPci;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The formatter on the fixture tree, against listings written out by hand from lspci's rules. */
class LspciTest {
    @TempDir
    Path tmp;

    final List<PciDevice> devices = new SysfsPci(Fixtures.SYSFS).devices();

    List<String> list(IdMode mode, boolean verbose) throws Exception {
        return new Lspci(PciIds.load(Fixtures.PCI_IDS), mode, verbose).lines(devices);
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource({"BOTH, false, lspci-nn.txt", "NAMES, false, lspci.txt", "NUMBERS, false, lspci-n.txt", "NAMES, true, lspci-v.txt"})
    void shouldListTheFixtureTreeAsLspciDoes(IdMode mode, boolean verbose, String expected) throws Exception {
        assertThat(list(mode, verbose)).containsExactlyElementsOf(Fixtures.expected(expected));
    }

    @Test
    void shouldCarryIdsIntoTheVerboseBlockWithNn() throws Exception {
        List<String> lines = list(IdMode.BOTH, true);
        assertThat(lines).contains("\tSubsystem: Red Hat, Inc. Qemu virtual machine [1af4:1100]",
                "00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02) (prog-if 01 [AHCI 1.0])",
                "02:00.0 Class [0b40]: Device [abcd:1234]");
    }

    @Test
    void shouldShowEveryDomainOnceOneIsNotZero() throws Exception {
        Path dir = Fixtures.copyDevice("0000:00:03.0", tmp);
        Files.move(dir, dir.resolveSibling("0001:00:03.0"));
        Fixtures.copyDevice("0000:00:1f.2", tmp);
        List<String> lines = new Lspci(PciIds.load(Fixtures.PCI_IDS), IdMode.NAMES, false).lines(new SysfsPci(tmp).devices());
        assertThat(lines).extracting(l -> l.substring(0, 12)).containsExactly("0000:00:1f.2", "0001:00:03.0");
    }

    @Test
    void shouldShowUnknownIdsAsLspciDoes() {
        PciIds ids = PciIds.parse("test", "8086  Intel Corporation\nC ff  Unassigned class\nC 01  Mass storage controller\n\t01  IDE interface\n");
        Names plain = new Names(ids, IdMode.NAMES);
        Names both = new Names(ids, IdMode.BOTH);
        // a known vendor's unknown device: lspci's "Intel Corporation Device 0d57"
        assertThat(plain.vendorDevice(0x8086, 0x0d57)).isEqualTo("Intel Corporation Device 0d57");
        assertThat(both.vendorDevice(0x8086, 0x0d57)).isEqualTo("Intel Corporation Device [8086:0d57]");
        assertThat(plain.vendorDevice(0xabcd, 0x0001)).isEqualTo("Device abcd:0001");
        // a known class with an unknown subclass keeps its number even without -nn
        assertThat(plain.pciClass(dev.jdm.hw.pci.PciClass.of(0xffff00))).isEqualTo("Unassigned class [ffff]");
        assertThat(both.pciClass(dev.jdm.hw.pci.PciClass.of(0xffff00))).isEqualTo("Unassigned class [ffff]");
        assertThat(plain.pciClass(dev.jdm.hw.pci.PciClass.of(0x123400))).isEqualTo("Class 1234");
        // a subsystem of a known vendor with no name: its device number alone
        assertThat(plain.subsystem(0x1af4, 0x1000, 0x8086, 0x0007)).isEqualTo("Intel Corporation Device 0007");
        assertThat(both.subsystem(0x1af4, 0x1000, 0x8086, 0x0007)).isEqualTo("Intel Corporation Device [8086:0007]");
        // IDE controllers without a named interface get their mode bits spelt out
        assertThat(plain.progIf(dev.jdm.hw.pci.PciClass.of(0x01018a))).contains("Master SecP PriP");
        assertThat(plain.progIf(dev.jdm.hw.pci.PciClass.of(0x010105))).contains("SecO PriO");
        assertThat(plain.progIf(dev.jdm.hw.pci.PciClass.of(0x010110))).isEmpty();
    }

    @Test
    void shouldSizeWindowsInTheLargestUnitThatDividesThem() {
        assertThat(BarLines.size(0)).isEmpty();
        assertThat(BarLines.size(32)).isEqualTo(" [size=32]");
        assertThat(BarLines.size(1536)).isEqualTo(" [size=1536]");
        assertThat(BarLines.size(512 * 1024)).isEqualTo(" [size=512K]");
        assertThat(BarLines.size(3L << 30)).isEqualTo(" [size=3G]");
        assertThat(BarLines.size(8L << 40)).isEqualTo(" [size=8T]");
        assertThat(BarLines.size(1L << 50)).isEqualTo(" [size=1024T]");
    }
}
