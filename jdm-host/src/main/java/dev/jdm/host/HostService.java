package dev.jdm.host;

import java.io.IOException;

/**
 * One part of the running host (the module manager, the security framework, the gate, the NBD
 * server...). The host starts its services in dependency order and stops them in reverse
 * ({@link Lifecycle}); a service need not guard against being stopped without having started.
 */
public interface HostService {
    /** A short name for the log: {@code gate}, {@code nbd}. */
    String name();

    /** Brings the service up; a failure stops the services started before it. */
    default void start() throws IOException {}

    /** Takes it down; must not throw for ordinary trouble (it is logged and the rest still stop). */
    void stop();

    /** What a service does to start. */
    @FunctionalInterface
    interface Starter {
        void start() throws IOException;
    }

    /** A service from its two halves. */
    static HostService of(String name, Starter start, Runnable stop) {
        return new HostService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() throws IOException {
                start.start();
            }

            @Override
            public void stop() {
                stop.run();
            }
        };
    }

    /** A service that only needs stopping. */
    static HostService stoppedBy(String name, Runnable stop) {
        return new HostService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void stop() {
                stop.run();
            }
        };
    }
}
