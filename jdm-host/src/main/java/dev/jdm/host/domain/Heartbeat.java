package dev.jdm.host.domain;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hang detection for one domain, on the host's side (a hung domain cannot be trusted to report
 * itself). Two signs, checked every {@link #TICK_MS}: the process answers no heartbeat on its
 * control channel for {@code domain.heartbeat_ms} (the whole JVM stopped: a signal, a GC spiral, a
 * deadlock in its reader), or one of its LUs holds requests and completes none for {@code
 * domain.io_stall_ms} (a driver that stopped answering while the process still runs). Either way
 * the domain is killed; its exit then restarts it as a crash would.
 */
final class Heartbeat implements AutoCloseable {
    static final long TICK_MS = 50;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("domain-heartbeat").factory());

    private final Domain domain;
    private final DomainSettings settings;
    private final ScheduledFuture<?> task;
    private long sent;
    private long seq;

    Heartbeat(Domain domain, DomainSettings settings) {
        this.domain = domain;
        this.settings = settings;
        this.task = TIMER.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (domain.state() != DomainState.RUNNING) {
            return;
        }
        var p = domain.process();
        long now = System.nanoTime();
        long limit = settings.heartbeatMs().getAsLong();
        if (limit > 0) {
            if (now - sent >= TimeUnit.MILLISECONDS.toNanos(Math.max(TICK_MS, limit / 4))) {
                sent = now;
                domain.ping(++seq);
            }
            long silent = TimeUnit.NANOSECONDS.toMillis(now - domain.heardNanos());
            // A fresh domain JVM builds its export table before it reads its first frame (seconds, cold,
            // on a loaded machine): until it has answered once, it gets ten times the limit.
            if (silent > (domain.answered() ? limit : 10 * limit)) {
                domain.hung(p, "no heartbeat answered for " + silent + " ms (domain.heartbeat_ms " + limit + ")");
                return;
            }
        }
        long stall = settings.ioStallMs().getAsLong();
        if (stall > 0) {
            String why = domain.stalledLu(stall);
            if (why != null) {
                domain.hung(p, why);
            }
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
