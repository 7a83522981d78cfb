package dev.jdm.drivers.cdcacm;

import dev.jdm.host.chr.CharDriverContract;
import dev.jdm.host.hw.EmulatedDevices;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import dev.jdm.hw.emu.usb.CdcAcmDevice;
import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/** The ACM driver's node passes the char driver contract, its device enumerated at coldplug. */
class AcmContractTest extends CharDriverContract {
    private UnixSocketLine line;

    @Override
    protected void beforeLoad() throws IOException {
        line = UnixSocketLine.listen(tmp.resolve("acm0.sock"));
        host.board().plug(EmulatedDevices.Made.usb(new CdcAcmDevice(line), "cdc-acm", "test line", () -> { }));
    }

    @AfterEach
    void closeLine() throws Exception {
        line.close();
    }

    @Override
    protected String moduleName() {
        return "cdc-acm";
    }

    @Override
    protected Set<String> nodes() {
        return Set.of("acm0");
    }
}
