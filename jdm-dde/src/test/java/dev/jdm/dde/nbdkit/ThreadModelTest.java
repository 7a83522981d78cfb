package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The thread model a plugin asks for is the locking it gets: the test plugin sleeps in every
 * pread and reports on close the most requests it ever had in flight at once.
 */
class ThreadModelTest {
    @Test
    void shouldRunRequestsInParallelForAParallelPlugin() throws Exception {
        assertThat(maxInFlight(List.of(), 1, 4)).isGreaterThan(1);
    }

    @Test
    void shouldSerializeAllRequestsAcrossConnectionsWhenThePluginLowersTheModel() throws Exception {
        assertThat(maxInFlight(List.of("thread-model=1"), 2, 3)).isEqualTo(1);
    }

    @Test
    void shouldSerializeRequestsPerConnection() throws Exception {
        assertThat(maxInFlight(List.of("thread-model=2"), 1, 4)).isEqualTo(1);
        assertThat(maxInFlight(List.of("thread-model=2"), 3, 2)).isBetween(2, 3);
    }

    @Test
    void shouldLetOneConnectionAtATimeUnderSerializeConnections() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "thread-model=0"), new Recorder())) {
            assertThat(p.threadModel()).isEqualTo(ThreadModel.SERIALIZE_CONNECTIONS);
            PluginConnection first = p.open(false);
            CompletableFuture<PluginConnection> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.open(false);
                } catch (NbdkitException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            first.close();
            second.get(5, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void shouldNeverLoosenTheDeclaredModel() throws Exception {
        // Declared PARALLEL; .thread_model may only make it stricter, and may not name a model that does not exist.
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "thread-model=2"), new Recorder())) {
            assertThat(p.threadModel()).isEqualTo(ThreadModel.SERIALIZE_REQUESTS);
        }
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmv1"), List.of("size=1M"), new Recorder())) {
            assertThat(p.threadModel()).isEqualTo(ThreadModel.SERIALIZE_REQUESTS);
        }
        assertThatThrownBy(() -> NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "thread-model=7"), new Recorder()))
                .hasMessage("jdmtest: .thread_model returned 7, not an nbdkit thread model (0 to 3)");
    }

    /** Opens connections, hammers each with threads of 2 ms reads, returns the plugin's max-inflight. */
    private static int maxInFlight(List<String> extra, int connections, int threadsEach) throws Exception {
        Recorder rec = new Recorder();
        List<String> args = new ArrayList<>(List.of("size=1M", "delay-us=2000"));
        args.addAll(extra);
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), args, rec)) {
            List<PluginConnection> conns = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                conns.add(p.open(true));
            }
            ExecutorService pool = Executors.newFixedThreadPool(connections * threadsEach);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (PluginConnection c : conns) {
                    for (int t = 0; t < threadsEach; t++) {
                        work.add(pool.submit(() -> {
                            try (Arena a = Arena.ofConfined()) {
                                for (int i = 0; i < 20; i++) {
                                    c.pread(a.allocate(4096), 4096L * i);
                                }
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : work) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            conns.forEach(PluginConnection::close);
        }
        String last = rec.debug().stream().filter(m -> m.startsWith("max-inflight=")).reduce((a, b) -> b).orElseThrow();
        return Integer.parseInt(last.substring("max-inflight=".length()));
    }
}
