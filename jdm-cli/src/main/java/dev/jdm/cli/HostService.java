package dev.jdm.cli;

import dev.jdm.host.Host;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import sun.misc.Signal;

/**
 * What systemd expects of {@code jdm host} as a {@code Type=notify} service
 * ({@code packaging/jdm.service}): {@code READY=1} once the gate and the exports are up,
 * {@code RELOADING=1} … {@code READY=1} around a reload, {@code STOPPING=1} when stopping; and
 * SIGHUP re-reads the config's policies instead of stopping the JVM, which is SIGHUP's default.
 * Outside systemd the notifications do nothing and SIGHUP still reloads, also when the host was
 * started with SIGHUP ignored (under nohup, or by a shell or test runner that was): the JVM keeps
 * an inherited SIG_IGN and would drop every reload, so the disposition is reset first.
 */
final class HostService {
    private final Host host;
    private final Path config;
    private final SdNotify notify;
    private final PrintStream err;
    private boolean warned;
    private static final int SIGHUP = 1;

    HostService(Host host, Path config, SdNotify notify, PrintStream err) {
        this.host = host;
        this.config = config;
        this.notify = notify;
        this.err = err;
    }

    /** The host serves: tell systemd, and take SIGHUP from now on. */
    void ready() {
        try {
            IgnoredSignals.unignore(SIGHUP);
            Signal.handle(new Signal("HUP"), s -> reload());
        } catch (IllegalArgumentException e) { // the JVM keeps SIGHUP (-Xrs): serve anyway, without reloads
            err.println("jdm host: SIGHUP will not reload the policies: " + e.getMessage());
        }
        send("READY=1\nSTATUS=serving " + host.socket() + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** SIGHUP: the config's sysctls and the security modules' stored policies, read again. */
    void reload() {
        // MONOTONIC_USEC lets systemd tell this reload from an earlier one (sd_notify(3)); nanoTime is CLOCK_MONOTONIC
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
        List<String> problems = host.reloadPolicies(config);
        problems.forEach(p -> err.println("jdm host: reload: " + p));
        send("READY=1\nSTATUS=" + (problems.isEmpty() ? "reloaded; serving " + host.socket()
                : "reloaded with " + problems.size() + " refused (see jdm dmesg); serving " + host.socket()));
    }

    /** Shutdown has begun. */
    void stopping() {
        send("STOPPING=1");
    }

    private void send(String state) {
        try {
            notify.send(state);
        } catch (IOException e) {
            if (!warned) { // systemd would time the start out anyway; saying why once is enough
                warned = true;
                err.println("jdm host: " + e.getMessage());
                err.flush();
            }
        }
    }
}
