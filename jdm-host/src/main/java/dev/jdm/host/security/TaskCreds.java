package dev.jdm.host.security;

import dev.jdm.abi.sec.TaskCred;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's credentials as security modules see them: SO_PEERCRED's uid, gid and pid, plus the
 * supplementary groups and executable that /proc shows for that pid at task creation (the peer is
 * connected then, so the pid is its own). Missing /proc entries give no groups and an empty program.
 */
final class TaskCreds {
    private TaskCreds() {}

    static TaskCred of(Task task) {
        Credentials c = task.credentials();
        List<Integer> groups = new ArrayList<>(c.groups()); // given up front for a TLS client certificate's mapping
        String program = "";
        if (c.pid() > 0) {
            Path proc = Path.of("/proc", Integer.toString(c.pid()));
            try {
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("Groups:")) {
                        for (String g : line.substring(7).trim().split("\\s+")) {
                            if (!g.isEmpty()) {
                                groups.add(Integer.parseInt(g));
                            }
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                groups.clear();
            }
            try {
                program = Files.readSymbolicLink(proc.resolve("exe")).toString();
            } catch (IOException | UnsupportedOperationException e) {
                program = "";
            }
        }
        return new TaskCred(task.id(), c.uid(), c.gid(), List.copyOf(groups), c.pid(), program);
    }
}
