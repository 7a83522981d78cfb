package dev.jdm.host;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The host's services in the order they depend on each other: started first to last, stopped last
 * to first. If one fails to start, those already started stop again before the failure is thrown,
 * so a host that did not come up leaves nothing listening behind.
 */
final class Lifecycle {
    /** Where the whole is: as Jetty's LifeCycle, one vocabulary for every service. */
    enum State { STOPPED, STARTING, STARTED, STOPPING, FAILED }

    private final LogRing log;
    private final List<HostService> services = new ArrayList<>();
    private final Deque<HostService> started = new ArrayDeque<>();
    private State state = State.STOPPED;

    Lifecycle(LogRing log) {
        this.log = log;
    }

    /** Adds a service after those it depends on. */
    Lifecycle add(HostService service) {
        if (state != State.STOPPED) {
            throw new IllegalStateException("services are added before the host starts; " + service.name() + " came while " + state);
        }
        services.add(service);
        return this;
    }

    synchronized void start() throws IOException {
        state = State.STARTING;
        for (HostService s : services) {
            try {
                s.start();
            } catch (IOException | RuntimeException | Error e) {
                log.append(LogLevel.ERR, "host", s.name() + " failed to start: " + e.getMessage() + "; stopping what had started");
                started.push(s); // a half-started service still gets its stop
                stopStarted();
                state = State.FAILED;
                throw e;
            }
            started.push(s);
        }
        state = State.STARTED;
    }

    /**
     * Stops every started service, last first; each failure is logged and the rest still stop.
     *
     * @return false if nothing was running (already stopped, or it never came up)
     */
    synchronized boolean stop() {
        if (state == State.STOPPED || state == State.FAILED) {
            return false;
        }
        state = State.STOPPING;
        stopStarted();
        state = State.STOPPED;
        return true;
    }

    private void stopStarted() {
        while (!started.isEmpty()) {
            HostService s = started.pop();
            try {
                s.stop();
            } catch (RuntimeException e) {
                log.append(LogLevel.ERR, "host", s.name() + " failed to stop cleanly: " + e);
            }
        }
    }

    synchronized State state() {
        return state;
    }

    /** The services' names in start order. */
    List<String> names() {
        return services.stream().map(HostService::name).toList();
    }
}
