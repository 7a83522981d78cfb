package dev.jdm.hw.ids;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.Fixtures;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PciIdsTest {
    @TempDir
    Path tmp;

    @Test
    void shouldNameVendorsDevicesSubsystemsAndClasses() throws Exception {
        PciIds ids = PciIds.load(Fixtures.PCI_IDS);
        assertThat(ids.vendorCount()).isEqualTo(2);
        assertThat(ids.vendor(0x8086)).contains("Intel Corporation");
        assertThat(ids.vendor(0xabcd)).isEmpty();
        assertThat(ids.device(0x1af4, 0x1000)).contains("Virtio network device");
        assertThat(ids.device(0x1af4, 0x1001)).isEmpty();
        assertThat(ids.subsystem(0x8086, 0x1237, 0x1af4, 0x1100)).contains("Qemu virtual machine");
        assertThat(ids.subsystem(0x8086, 0x1237, 0x1af4, 0x1101)).isEmpty();
        assertThat(ids.baseClass(0x01)).contains("Mass storage controller");
        assertThat(ids.subclass(0x01, 0x06)).contains("SATA controller");
        assertThat(ids.subclass(0xff, 0xff)).isEmpty();
        assertThat(ids.progIf(0x01, 0x06, 0x01)).contains("AHCI 1.0");
        assertThat(ids.progIf(0x01, 0x06, 0x02)).isEmpty();
    }

    @Test
    void shouldFallBackToGenericSubsystemsThenToTheDeviceItself() {
        PciIds ids = PciIds.parse("test", """
                1af4  Red Hat, Inc.
                \t1041  Virtio 1.0 network device
                S 1af4
                \t0010  Generic virtio board
                """);
        assertThat(ids.subsystem(0x8086, 0x1234, 0x1af4, 0x0010)).contains("Generic virtio board");
        assertThat(ids.subsystem(0x1af4, 0x1041, 0x1af4, 0x1041)).contains("Virtio 1.0 network device");
        assertThat(ids.subsystem(0x1af4, 0x1041, 0x1af4, 0x1042)).isEmpty();
    }

    @Test
    void shouldSkipCommentsBlankLinesAndReservedBlocks() {
        PciIds ids = PciIds.parse("test", """
                # comment
                   \t
                X 12  Reserved for the future
                \t34  skipped
                \t\t56  skipped too
                1234  Vendor with a trailing blank\s
                \t  # an indented comment
                """);
        assertThat(ids.vendor(0x1234)).contains("Vendor with a trailing blank");
        assertThat(ids.vendorCount()).isEqualTo(1);
    }

    @Test
    void shouldReadAGzippedDatabase() throws Exception {
        Path gz = tmp.resolve("pci.ids.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(Fixtures.PCI_IDS));
        }
        assertThat(PciIds.load(gz).device(0x8086, 0x2922)).hasValueSatisfying(n -> assertThat(n).startsWith("82801IR"));
    }

    @Test
    void shouldNameTheFileAndLineOfEachSyntaxError() {
        assertThatThrownBy(() -> PciIds.parse("ids", "8086  Intel\n\t12g4  Bad\n")).isInstanceOf(PciIdsFormatException.class)
                .hasMessage("ids, line 2: expected a device ID of 4 hex digits and a blank, found '12g4  Bad'")
                .satisfies(e -> assertThat(((PciIdsFormatException) e).line()).isEqualTo(2));
        assertThatThrownBy(() -> PciIds.parse("ids", "8086\n")).hasMessage("ids, line 1: '8086' has no name after its ID");
        assertThatThrownBy(() -> PciIds.parse("ids", "\t1234  Orphan\n")).hasMessage("ids, line 1: an indented entry before any vendor or class");
        assertThatThrownBy(() -> PciIds.parse("ids", "8086  Intel\n\t\t8086 0001  Orphan\n"))
                .hasMessage("ids, line 2: a doubly indented entry outside a device or subclass");
        assertThatThrownBy(() -> PciIds.parse("ids", "8086  Intel\n\t1234  A\n\t\t\t1  deep\n")).hasMessage("ids, line 3: nested 3 tabs deep; entries nest at most two");
        assertThatThrownBy(() -> PciIds.parse("ids", "8086  Intel\n8086  Intel again\n")).hasMessage("ids, line 2: vendor 8086 is named twice");
        assertThatThrownBy(() -> PciIds.parse("ids", "C 0x  Bad class\n")).hasMessageContaining("line 1: expected a class ID of 2 hex digits");
        assertThatThrownBy(() -> PciIds.parse("ids", "8086  Intel\n\t1234  A\n\t\t8086  B\n"))
                .hasMessage("ids, line 3: expected a subsystem device ID of 4 hex digits and a blank, found '8086  B'");
    }

    @Test
    void shouldKnowNothingWhenEmpty() {
        assertThat(PciIds.empty().vendor(0x8086)).isEmpty();
        assertThat(PciIds.empty().vendorCount()).isZero();
    }
}
