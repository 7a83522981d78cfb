package dev.jdm.drivers.cdcacm;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.UsbId;
import java.util.BitSet;

/**
 * The CDC-ACM class driver module: binds the communication interface of every USB modem-class
 * device (CDC class 2, subclass 2 ACM, with AT or no protocol), claims its data interface and gives
 * each an {@code acmN} node, Linux's ttyACM numbers (166:N).
 */
@DriverModule(name = "cdc-acm", version = "1.0", license = "GPL", author = "jdm developers",
        description = "USB CDC-ACM serial class driver: bulk and interrupt URBs, as an acm char device")
@UsbId(interfaceClass = 2, interfaceSubClass = 2, interfaceProtocol = 1)
@UsbId(interfaceClass = 2, interfaceSubClass = 2, interfaceProtocol = 0)
public final class CdcAcm implements LoadableModule {
    private final BitSet minors = new BitSet();

    public CdcAcm(ModuleContext ctx) {
        ctx.hw().registerUsb(intf -> {
            int n = take();
            try {
                return new AcmPort(ctx, intf, n, () -> give(n));
            } catch (RuntimeException e) {
                give(n);
                throw e;
            }
        });
    }

    private synchronized int take() {
        int n = minors.nextClearBit(0);
        if (n >= 32) {
            throw new HwException(HwException.EBUSY, "more than 32 ACM devices");
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
