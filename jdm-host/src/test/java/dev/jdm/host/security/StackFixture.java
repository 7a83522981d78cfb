package dev.jdm.host.security;

import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.host.task.TaskRegistry;
import java.nio.file.Path;
import java.util.function.Function;

/** A security framework with its own sysctls, log and tasks, outside a host. */
final class StackFixture implements AutoCloseable {
    final Sysctl sysctl = new Sysctl();
    final LogRing log = new LogRing(4096, null, () -> 0);
    final TaskRegistry tasks = new TaskRegistry();
    final Security security;

    StackFixture(Path stateDir) {
        this(stateDir, OrderId.MAX_ID);
    }

    StackFixture(Path stateDir, int maxId) {
        security = new Security(sysctl, log, stateDir, maxId);
        tasks.setLifecycle(security);
    }

    Task task(int uid) {
        return tasks.create("test", new Credentials(uid, uid, -1));
    }

    static final DevOpen RAM0 = new DevOpen(DeviceKind.BLOCK, "ram0", 0, 6, 0660, DevOpen.READ | DevOpen.WRITE);

    /** A task of {@code uid} in a running host. */
    static Task task(dev.jdm.host.Host host, int uid) {
        return host.tasks().create("test", new Credentials(uid, uid, -1));
    }

    /** What the host's stack says to {@code t} opening ram0: "allow", or the errno and message. */
    static String devOpen(dev.jdm.host.Host host, Task t) {
        try {
            host.security().checkDevOpen(t, RAM0);
            return "allow";
        } catch (HostException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    /** The outcome of a dev_open check: "allow" or "ERRNO: message". */
    String devOpen(Task t) {
        try {
            security.checkDevOpen(t, RAM0);
            return "allow";
        } catch (HostException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    /** A module whose dev_open answers with {@code vote}. */
    static SecurityModule voting(Function<TaskCred, Vote> vote) {
        return new SecurityModule() {
            @Override
            public Vote devOpen(TaskCred task, Object data, DevOpen open) {
                return vote.apply(task);
            }
        };
    }

    String logText() {
        StringBuilder b = new StringBuilder();
        log.since(1).forEach(r -> b.append(r.source()).append(": ").append(r.message()).append('\n'));
        return b.toString();
    }

    @Override
    public void close() {
        security.close();
    }
}
