package dev.jdm.drivers.cdcacm;

import java.util.Map;

/** The ACM node with its driver in an isolated domain passes the char driver contract. */
class IsolatedAcmContractTest extends AcmContractTest {
    @Override
    protected Map<String, String> params() {
        return Map.of("domain", "isolated:acm");
    }
}
