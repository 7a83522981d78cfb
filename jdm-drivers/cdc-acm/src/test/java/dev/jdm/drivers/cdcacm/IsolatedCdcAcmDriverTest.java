package dev.jdm.drivers.cdcacm;

import java.util.Map;

/**
 * The same tests with the class driver in an isolated domain: its control transfers and URBs are
 * USB_OPs the host performs on the interface it holds; completions come back as calls.
 */
class IsolatedCdcAcmDriverTest extends CdcAcmDriverTest {
    @Override
    protected Map<String, String> loadParams() {
        return Map.of("domain", "isolated:acm");
    }
}
