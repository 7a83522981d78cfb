package dev.jdm.hw.emu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PciConfigSpaceHeaderTest {
    private static final PciIdentity VIRTIO_BLK = new PciIdentity(0x1af4, 0x1042, 0x1af4, 0x1100, 0x018000, 1);

    private final PciConfigSpace cfg = new PciConfigSpace(VIRTIO_BLK,
            List.of(new BarSpec(0, BarSpec.Kind.MEMORY64, 512 * 1024), new BarSpec(2, BarSpec.Kind.IO, 8)), 1);

    @Test
    void shouldAnnounceTheIdentityInTheHeader() {
        assertThat(cfg.read(0x00, 4)).isEqualTo(0x1042_1af4);
        assertThat(cfg.read(0x08, 4)).isEqualTo(0x0180_0001);
        assertThat(cfg.read(0x2c, 4)).isEqualTo(0x1100_1af4);
        assertThat(cfg.read(PciConfigSpace.INTERRUPT_PIN, 1)).isEqualTo(1);
    }

    @Test
    void shouldKeepReadOnlyFieldsWhateverIsWritten() {
        cfg.write(0x00, 4, 0xdeadbeef);
        cfg.write(0x08, 4, 0);
        cfg.write(PciConfigSpace.INTERRUPT_PIN, 1, 3);
        assertThat(cfg.read(0x00, 4)).isEqualTo(0x1042_1af4);
        assertThat(cfg.read(0x08, 4)).isEqualTo(0x0180_0001);
        assertThat(cfg.read(PciConfigSpace.INTERRUPT_PIN, 1)).isEqualTo(1);
    }

    @Test
    void shouldAnswerBarSizingAsHardwareDoes() {
        cfg.write(0x10, 4, 0xffffffff);
        cfg.write(0x14, 4, 0xffffffff);
        assertThat(cfg.read(0x10, 4)).isEqualTo(0xfff8_0004); // 512 KiB, 64-bit memory
        assertThat(cfg.read(0x14, 4)).isEqualTo(0xffffffff);
        cfg.write(0x18, 4, 0xffffffff);
        assertThat(cfg.read(0x18, 4)).isEqualTo(0xffff_fff9); // 8 ports, I/O
        assertThat(cfg.read(0x1c, 4)).isZero(); // no BAR 3
        cfg.write(0x10, 4, 0xfeb0_0000);
        assertThat(cfg.read(0x10, 4)).isEqualTo(0xfeb0_0004);
    }

    @Test
    void shouldMaskTheCommandRegisterToItsDefinedBits() {
        cfg.write(PciConfigSpace.COMMAND, 2, 0xffff);
        assertThat(cfg.command()).isEqualTo(PciConfigSpace.COMMAND_IO | PciConfigSpace.COMMAND_MEMORY
                | PciConfigSpace.COMMAND_BUS_MASTER | PciConfigSpace.COMMAND_INTX_DISABLE);
    }

    @Test
    void shouldChainCapabilitiesFromThePointerAt0x34() {
        assertThat(cfg.read(PciConfigSpace.STATUS, 2) & 0x10).isZero();
        int a = cfg.addCapability(0x09, new byte[] {14, 1, 0, 0}, new byte[] {0, 0, 0, (byte) 0xff});
        int b = cfg.addCapability(0x11, new byte[10], new byte[10]);
        assertThat(cfg.read(PciConfigSpace.STATUS, 2) & 0x10).isEqualTo(0x10);
        assertThat(cfg.read(PciConfigSpace.CAPABILITIES, 1)).isEqualTo(a);
        assertThat(cfg.read(a, 1)).isEqualTo(0x09);
        assertThat(cfg.read(a + 1, 1)).isEqualTo(b);
        assertThat(cfg.read(b, 1)).isEqualTo(0x11);
        assertThat(cfg.read(b + 1, 1)).isZero();
        assertThat(b % 4).isZero();
        cfg.write(a + 4, 4, 0xffffffff); // only the body's last byte is writable; the padding after it is not
        assertThat(cfg.read(a + 4, 4)).isEqualTo(0x0000_ff00);
        cfg.write(a + 2, 1, 0);
        assertThat(cfg.read(a + 2, 1)).isEqualTo(14);
    }

    @Test
    void shouldRefuseMisalignedAccessesWithTheOffset() {
        assertThatThrownBy(() -> cfg.read(0x11, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x11");
        assertThatThrownBy(() -> cfg.write(4096, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
