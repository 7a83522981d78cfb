package dev.jdm.drivers.uart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.PlatformDevice;
import dev.jdm.hw.emu.uart.Uart16550Device;
import org.junit.jupiter.api.Test;

/**
 * The same line tests with the chip on the platform bus as {@code serial8250}, the PC's UART: found
 * by name, not enumerated, bound by the driver's {@code platform:serial8250} alias.
 */
class PlatformUartDriverTest extends UartDriverTest {
    @Override
    protected EmulatedDevice onBoard(Uart16550Device chip) {
        return new PlatformDevice(chip, "serial8250");
    }

    @Test
    void shouldBindByItsPlatformAliasUnderItsPlatformName() {
        assertThat(host.board().list()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("serial8250.0");
            assertThat(d.modalias()).isEqualTo("platform:serial8250");
            assertThat(d.driver()).isEqualTo("uart16550");
        });
    }
}
