package dev.jdm.isolation.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.isolation.channel.Frame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DomainLauncherTest {
    @Test
    void shouldStartConfinedChildAndReportItsExit() throws Exception {
        try (DomainProcess d = DomainLauncher.start(TestDomains.spec("hello", HelloDomain.class, TestDomains.plan(), "world"))) {
            Frame f = d.channel().receive();
            assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("hello world abi=" + d.landlockAbi());
            assertThat(d.landlockAbi()).isPositive();
            if (TestDomains.root()) {
                assertThat(d.uid()).isEqualTo(TestDomains.NOBODY);
            }
            d.channel().send(101, new byte[0]);
            ExitStatus s = d.waitFor(10_000);
            assertThat(s).isEqualTo(new ExitStatus(0, 0, true));
        }
    }
}
