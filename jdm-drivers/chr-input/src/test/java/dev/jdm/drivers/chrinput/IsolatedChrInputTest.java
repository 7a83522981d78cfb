package dev.jdm.drivers.chrinput;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same chr-input classes in an isolated domain: kbd0's contract, typed calls (the schema the
 * host reads from the module's JAR, checked arguments, declared errors, fingerprints), exclusive
 * holds and ioctls, all answered in another process.
 */
class IsolatedChrInputTest extends ChrInputTest {
    @Override
    protected Map<String, String> params() {
        return Map.of("domain", "isolated:chrinput");
    }

    @Test
    void shouldServeKbd0FromItsOwnProcess() {
        var d = host.domains().find("chrinput").orElseThrow();
        assertThat(d.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(d.modules()).containsExactly("chr-input");
    }
}
