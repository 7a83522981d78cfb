package dev.jdm.drivers.uart;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.PciId;
import dev.jdm.abi.hw.PlatformId;
import java.util.BitSet;

/**
 * The 16550A serial driver module: binds QEMU's PCI serial function and any PCI function whose
 * class says "16550-compatible serial controller" (07/00/02), as Linux's 8250_pci does, and the
 * platform bus's {@code serial8250} (the PC's UART, which nothing enumerates), and gives
 * each a tty node (Linux's ttyS numbers, 4:64 on; names are lower-case here) {@code serial0}, {@code serial1}, ... in the order they bind.
 */
@DriverModule(name = "uart16550", version = "1.0", license = "GPL", author = "jdm developers",
        description = "16550A UART on a PCI serial function: FIFOs and interrupts, as a ttyS char device")
@Param(name = "baud", type = Param.Type.LONG, defaultValue = "115200", description = "initial line speed: 115200 divided by a whole number")
@PciId(vendor = 0x1b36, device = 0x0002)
@PciId(vendor = PciId.ANY, baseClass = 0x07, subClass = 0x00, progIf = 0x02)
@PlatformId("serial8250")
public final class Uart16550 implements LoadableModule {
    private final BitSet minors = new BitSet();

    public Uart16550(ModuleContext ctx) {
        long baud = ctx.params().longValue("baud");
        UartPort.divisor(baud); // refused here, before any device is touched
        ctx.hw().register(device -> {
            int n = take();
            try {
                return new UartPort(ctx, device, n, baud, () -> give(n));
            } catch (RuntimeException e) {
                give(n);
                throw e;
            }
        });
    }

    private synchronized int take() {
        int n = minors.nextClearBit(0);
        if (n >= 32) {
            throw new HwException(HwException.EBUSY, "more than 32 serial ports");
        }
        minors.set(n);
        return n;
    }

    private synchronized void give(int n) {
        minors.clear(n);
    }

    /** Nothing to do: the host removes every binding before this runs. */
    @Override
    public void close() {}
}
