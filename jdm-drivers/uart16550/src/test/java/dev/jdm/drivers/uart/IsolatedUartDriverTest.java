package dev.jdm.drivers.uart;

import java.util.Map;

/**
 * The same line tests with the driver in an isolated domain: bytes, faults and removal through
 * HW_OP and HW_CALL. Each register access is a round trip to the host (tens of microseconds), so
 * at 115200 baud, a character every 87 us with no flow control, a burst longer than the FIFO
 * outruns the handler; at the tests' 9600 it does not.
 */
class IsolatedUartDriverTest extends UartDriverTest {
    @Override
    protected Map<String, String> loadParams() {
        return Map.of("domain", "isolated:uart", "baud", Integer.toString(baud()));
    }
}
