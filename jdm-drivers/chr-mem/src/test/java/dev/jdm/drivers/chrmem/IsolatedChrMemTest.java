package dev.jdm.drivers.chrmem;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.NodeInfo;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.domain.DomainState;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same chr-mem classes in an isolated domain: every test of {@link ChrMemTest} (the char
 * driver contract and each device's semantics) runs against nodes whose drivers live in another
 * process; and a reader blocked on kmsg when the domain is killed gets an error, not a hang, and
 * the restarted module's nodes open again under the same numbers.
 */
class IsolatedChrMemTest extends ChrMemTest {
    @Override
    protected Map<String, String> params() {
        return Map.of("domain", "isolated:chrmem");
    }

    private Domain domain() {
        return host.domains().find("chrmem").orElseThrow();
    }

    @Test
    void shouldServeTheNodesFromItsOwnProcess() {
        assertThat(domain().pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(domain().modules()).containsExactly("chr-mem");
        assertThat(host.modules().get("chr-mem").orElseThrow().domain()).isEqualTo("isolated:chrmem");
        assertThat(host.chr().find("zero").orElseThrow().module()).isEqualTo("chr-mem");
    }

    @Test
    void shouldFailABlockedReaderWhenTheDomainDiesAndServeNewOpensAfterTheRestart() throws Exception {
        NodeInfo before = host.chr().find("kmsg").orElseThrow();
        OpenFile f = host.chr().open("kmsg", CharOpen.READ, admin);
        f.seek(0, CharFile.SEEK_END);
        CompletableFuture<byte[]> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return f.read(8192, Heartbeat.NONE);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertThat(blocked).as("nothing to read yet: the reader waits").isNotDone();
        long pid = domain().pid();
        domain().kill();
        try {
            blocked.get(10, TimeUnit.SECONDS);
            org.junit.jupiter.api.Assertions.fail("the read returned data after its domain died");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof RuntimeException r && r.getCause() != null ? r.getCause() : e.getCause();
            assertThat(c).isInstanceOf(HostException.class);
            assertThat(((HostException) c).code()).isIn(Errno.EIO, Errno.ENODEV);
        }
        long released = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // the death removes the nodes just after it fails the operations in flight; the close that
        // follows on the death's thread marks the file closed first and drops the module's reference last
        while ((!f.isClosed() || module().refcount() != 0) && System.nanoTime() < released) {
            Thread.sleep(10);
        }
        assertThat(f.isClosed()).as("the file of the dead domain's node is released").isTrue();
        assertThat(module().refcount()).isZero();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((domain().state() != DomainState.RUNNING || host.chr().find("kmsg").isEmpty()) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(domain().state()).isEqualTo(DomainState.RUNNING);
        assertThat(domain().pid()).isNotEqualTo(pid);
        NodeInfo after = host.chr().find("kmsg").orElseThrow();
        assertThat(after.major() + ":" + after.minor()).isEqualTo(before.major() + ":" + before.minor());
        try (OpenFile z = host.chr().open("zero", CharOpen.READ, admin)) {
            assertThat(z.read(1 << 20, Heartbeat.NONE)).hasSize(1 << 20).containsOnly(0);
        }
    }
}
