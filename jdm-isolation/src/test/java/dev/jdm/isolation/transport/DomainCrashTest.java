package dev.jdm.isolation.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.ExitStatus;
import dev.jdm.isolation.process.TestDomains;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.ring.RingClient;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A domain killed with SIGKILL is reported with its signal, and the host's regions outlive it. */
class DomainCrashTest {
    @Test
    void shouldReportSigkillAndKeepTheRegionValid() throws Exception {
        RegionLayout layout = new RegionLayout(8, 4, 4096);
        try (DomainProcess d = DomainLauncher.start(TestDomains.spec("crash", RamDomain.class, TestDomains.plan(), "65536", "0"));
                RingTransport.HostEnd end = RingTransport.offer(d.channel(), layout, FdDoorbell.Kind.EVENTFD, 0, 10_000)) {
            CompletableFuture<ExitStatus> reported = new CompletableFuture<>();
            d.onExit(reported::complete);
            RingClient client = end.client();
            int buf = client.buffers().allocate();
            client.buffers().buffer(buf).fill((byte) 0x5A);
            client.submit(RamDomain.WRITE, 0, 0, 4096, buf);
            assertThat(client.take().status()).isEqualTo(4096);
            client.buffers().buffer(buf).fill((byte) 0);
            client.submit(RamDomain.READ, 0, 0, 4096, buf);
            assertThat(client.take().status()).isEqualTo(4096);

            d.kill();
            ExitStatus status = reported.get(10, TimeUnit.SECONDS);
            assertThat(status.signaled()).isTrue();
            assertThat(status.signal()).isEqualTo(9);
            assertThat(status.exact()).isTrue();
            assertThat(d.isAlive()).isFalse();

            // The data the domain wrote into the shared buffer before it died, and the region itself,
            // are still the host's to use.
            MemorySegment data = client.buffers().buffer(buf);
            for (long i = 0; i < 4096; i++) {
                assertThat(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0x5A);
            }
            layout.check(end.region().segment());
            data.fill((byte) 1);
            assertThat(data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095)).isEqualTo((byte) 1);
            assertThat(client.submit(RamDomain.READ, 0, 0, 4096, buf)).isPositive(); // nobody answers, nothing breaks
            assertThat(client.poll()).isNull();
            assertThat(client.inFlight()).isEqualTo(1);
        }
    }

    @Test
    @SuppressWarnings("try") // the resource is held open, not used
    void shouldEndADomainWhoseHostClosedTheChannel() throws Exception {
        try (DomainProcess d = DomainLauncher.start(TestDomains.spec("orphan", RamDomain.class, TestDomains.plan(), "65536", "0"));
                RingTransport.HostEnd end = RingTransport.offer(d.channel(), new RegionLayout(8, 4, 4096), FdDoorbell.Kind.EVENTFD, 0, 10_000)) {
            // The domain sleeps on its eventfd, which cannot tell it that the host is gone.
            Thread.sleep(200);
            assertThat(d.isAlive()).isTrue();
            d.channel().close();
            assertThat(d.waitFor(10_000)).isEqualTo(new ExitStatus(75, 0, true));
        }
    }

    @Test
    void shouldReportAnExitCodeAsACode() throws Exception {
        try (DomainProcess d = DomainLauncher.start(TestDomains.spec("exit", RamDomain.class, TestDomains.plan(), "not-a-number", "0"))) {
            ExitStatus s = d.waitFor(10_000);
            assertThat(s).isEqualTo(new ExitStatus(1, 0, true)); // DomainMain: an entry that throws exits 1
        }
    }
}
