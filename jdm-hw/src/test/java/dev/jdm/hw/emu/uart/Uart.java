package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;

import dev.jdm.hw.emu.PciConfigSpace;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A driver's-eye view of a UART device for tests: 8-bit port I/O at BAR 0 and a few set-ups. */
final class Uart {
    final Uart16550Device device;

    Uart(Uart16550Device device) {
        this.device = device;
        device.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_IO);
    }

    int in(int reg) {
        return (int) device.barRead(0, reg, 1);
    }

    void out(int reg, int value) {
        device.barWrite(0, reg, 1, value);
    }

    void divisor(int d) {
        int lcr = in(LCR);
        out(LCR, lcr | LCR_DLAB);
        out(DLL, d & 0xff);
        out(DLM, d >>> 8);
        out(LCR, lcr);
    }

    /** 8N1 at {@code divisor}. */
    void setUp8n1(int divisor) {
        out(LCR, LCR_8N1);
        divisor(divisor);
    }

    /** Writes each byte once THRE says there is room. */
    void send(byte[] bytes) {
        for (byte b : bytes) {
            await(() -> (in(LSR) & LSR_THRE) != 0, Duration.ofSeconds(5));
            out(THR, b & 0xff);
        }
    }

    /** Reads {@code n} bytes as they arrive. */
    byte[] receive(int n, Duration timeout) {
        byte[] got = new byte[n];
        for (int i = 0; i < n; i++) {
            await(() -> (in(LSR) & LSR_DR) != 0, timeout);
            got[i] = (byte) in(RBR);
        }
        return got;
    }

    static void await(BooleanSupplier condition, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
