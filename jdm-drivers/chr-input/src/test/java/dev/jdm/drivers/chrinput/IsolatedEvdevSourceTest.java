package dev.jdm.drivers.chrinput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.log.LogRecord;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * kbd0 reading a granted node from an isolated domain: the host opens and checks the node through
 * the module's grants and passes its descriptor (GRANT_STREAM), and a thread of the domain reads
 * it. Every test of the colocated case holds here too.
 */
class IsolatedEvdevSourceTest extends EvdevSourceTest {
    @Override
    protected Map<String, String> placement() {
        return Map.of("domain", "isolated:evdev");
    }

    @Test
    void theNodeIsGrantedByTheHostAndReadInTheDomain() {
        var d = host.domains().find("evdev").orElseThrow();
        assertThat(d.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(host.log().since(0)).extracting(LogRecord::message)
                .anyMatch(m -> m.startsWith("chr-input: evdev = ") && m.contains("(stream, ro, FIFO)"));
        assertThat(Thread.getAllStackTraces().keySet()).as("no reader of the host's")
                .extracting(Thread::getName).noneMatch(n -> n.startsWith("grant-chr-input"));
    }
}
