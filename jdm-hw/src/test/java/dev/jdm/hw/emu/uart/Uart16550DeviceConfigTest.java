package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import org.junit.jupiter.api.Test;

class Uart16550DeviceConfigTest {
    private final Uart16550Device device = new Uart16550Device(new QueueLine(false), Uart16550Device.Pacing.NONE, new Faults());

    @Test
    void shouldAnnounceQemusPciSerialIdsInConfigSpace() {
        assertThat(device.configRead(0x00, 4)).isEqualTo(0x0002_1b36);
        assertThat(device.configRead(0x08, 4)).isEqualTo(0x0700_0201); // class 07 00 02, revision 1
        assertThat(device.configRead(0x2c, 4)).isEqualTo(0x1100_1af4);
        assertThat(device.configRead(PciConfigSpace.INTERRUPT_PIN, 1)).isEqualTo(1); // INTA#
        assertThat(device.configRead(PciConfigSpace.CAPABILITIES, 1)).isZero(); // no MSI-X, no capabilities
        assertThat(device.identity()).isEqualTo(Uart16550Device.IDENTITY);
    }

    @Test
    void shouldDecodeOneEightPortIoBar() {
        assertThat(device.bars()).containsExactly(new BarSpec(0, BarSpec.Kind.IO, 8));
        device.configWrite(0x10, 4, 0xffffffff);
        assertThat(device.configRead(0x10, 4)).isEqualTo(0xffff_fff9);
        device.configWrite(0x14, 4, 0xffffffff);
        assertThat(device.configRead(0x14, 4)).isZero();
    }

    @Test
    void shouldReadAllOnesAndDropWritesForWideAccessesAndStrayPorts() {
        Uart u = new Uart(device);
        u.out(SCR, 0x42);
        device.barWrite(0, SCR, 2, 0x1111);
        device.barWrite(0, SCR, 4, 0x1111);
        device.barWrite(0, SCR, 8, 0x1111);
        device.barWrite(0, 8, 1, 0x11);
        device.barWrite(1, SCR, 1, 0x11);
        device.barWrite(0, -1, 1, 0x11);
        assertThat(u.in(SCR)).isEqualTo(0x42);
        assertThat(device.barRead(0, 0, 2)).isEqualTo(0xffffL);
        assertThat(device.barRead(0, 4, 4)).isEqualTo(0xffff_ffffL);
        assertThat(device.barRead(0, 0, 8)).isEqualTo(-1L);
        assertThat(device.barRead(0, 8, 1)).isEqualTo(0xffL);
        assertThat(device.barRead(2, 0, 1)).isEqualTo(0xffL);
        assertThat(device.barRead(0, Long.MAX_VALUE, 1)).isEqualTo(0xffL);
        assertThat(device.barRead(0, 0, 3)).isEqualTo(0xff_ffffL);
    }

    @Test
    void shouldNotRespondWhileIoDecodingIsOff() {
        Uart u = new Uart(device);
        u.out(SCR, 0x42);
        device.configWrite(PciConfigSpace.COMMAND, 2, 0);
        assertThat(u.in(SCR)).isEqualTo(0xff);
        u.out(SCR, 0x17);
        device.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_IO);
        assertThat(u.in(SCR)).isEqualTo(0x42);
    }
}
