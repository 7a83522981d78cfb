package dev.jdm.drivers.uart;

import dev.jdm.host.chr.CharDriverContract;
import dev.jdm.hw.emu.uart.Uart16550Device;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;

/** The UART driver's tty node passes the char driver contract, the chip bound at coldplug. */
class UartContractTest extends CharDriverContract {
    private UnixSocketLine line;

    @Override
    protected void beforeLoad() throws IOException {
        line = UnixSocketLine.listen(tmp.resolve("serial0.sock"));
        host.board().plug(new Uart16550Device(line));
    }

    @AfterEach
    void closeLine() throws Exception {
        line.close();
    }

    @Override
    protected String moduleName() {
        return "uart16550";
    }

    @Override
    protected Set<String> nodes() {
        return Set.of("serial0");
    }
}
