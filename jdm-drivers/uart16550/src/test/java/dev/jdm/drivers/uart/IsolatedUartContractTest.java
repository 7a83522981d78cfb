package dev.jdm.drivers.uart;

import java.util.Map;

/**
 * The UART driver in an isolated domain: its port accesses are frames to the host, its interrupt
 * a call into the domain, its node forwarded; the char driver contract holds.
 */
class IsolatedUartContractTest extends UartContractTest {
    @Override
    protected Map<String, String> params() {
        return Map.of("domain", "isolated:uart");
    }
}
