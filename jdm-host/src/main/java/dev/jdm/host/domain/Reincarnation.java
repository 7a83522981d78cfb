package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.HostException;
import dev.jdm.isolation.process.DomainProcess;
import java.io.IOException;
import java.util.List;

/**
 * The reincarnation server (after MINIX 3's): restarts a domain whose process died or hung. It takes
 * a new process (the warm standby if there is one), reloads every module in load order with the same
 * JAR, parameters and host parameters (so the same grants: each module asks for its files again and
 * the host opens them through the same checks), and lets the modules re-register their LUs, which
 * re-binds each to the host LU it had ({@link Domain}) and replays its held requests. It runs on a
 * thread of its own: the exit callback that starts it must not wait for a JVM to start.
 *
 * <p>If the new process dies too, its exit is a crash like any other and counts against the budget;
 * if a module refuses to load again, nothing will serve its LUs and the domain fails.
 */
final class Reincarnation {
    private Reincarnation() {}

    static void start(Domain d, long crashNanos, String why) {
        Thread.ofPlatform().daemon().name("domain-restart-" + d.name()).start(() -> run(d, crashNanos, why));
    }

    private static void run(Domain d, long crashNanos, String why) {
        DomainProcess p;
        try {
            p = d.launcher().get();
        } catch (RuntimeException e) {
            d.fail("restart after " + why + " failed: cannot start a process: " + e.getMessage() + "; its LUs fail with EIO");
            return;
        }
        if (!d.adoptForRecovery(p)) {
            try {
                p.close(); // the host stopped meanwhile
            } catch (IOException e) {
                // killed anyway
            }
            return;
        }
        for (Domain.Placed m : d.placed()) {
            if (!d.holds(m)) {
                continue; // unloaded while the process restarted
            }
            try {
                d.loadRemote(m);
            } catch (HostException e) {
                if (p.isAlive() && d.process() == p) {
                    d.fail("restart after " + why + ": " + m.site().name() + " did not load again: " + e.getMessage() + "; its LUs fail with EIO");
                    p.kill();
                }
                return; // else the new process died: its exit decides what comes next
            }
        }
        List<String> orphans = d.failUnbound();
        if (!orphans.isEmpty()) {
            d.log().append(LogLevel.ERR, "domain", d.name() + ": after the restart no module registered " + String.join(", ", orphans)
                    + " again; they fail with EIO");
        }
        d.recovered(crashNanos);
    }
}
