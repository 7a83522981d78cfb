package dev.jdm.isolation.process;

import dev.jdm.isolation.confine.ConfinementPlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to start: the domain JVM's class path (granted read-only), the {@link DomainEntry} class and
 * its arguments, extra JVM options (after the launcher's defaults, so they win), the confinement
 * plan, extra environment variables (the rest is cleared), how long the start may take, and where
 * the child's stdout and stderr go: to {@code lines}, one line at a time, if set (a reader thread
 * drains them, so a chatty child never blocks on a full pipe); else to the file {@code output};
 * else ({@code null}) to the parent's.
 */
public record DomainSpec(String name, List<Path> classPath, String entryClass, List<String> args, List<String> jvmOptions,
        ConfinementPlan plan, Map<String, String> environment, long startTimeoutMillis, Path output,
        java.util.function.Consumer<String> lines) {
    public DomainSpec {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("domain name must be 1-64 of [A-Za-z0-9_.-], not " + name);
        }
        classPath = List.copyOf(classPath);
        if (classPath.isEmpty()) {
            throw new IllegalArgumentException("domain " + name + " has an empty class path");
        }
        args = List.copyOf(args);
        jvmOptions = List.copyOf(jvmOptions);
        environment = Map.copyOf(environment);
        if (startTimeoutMillis <= 0) {
            throw new IllegalArgumentException("domain " + name + ": start timeout must be positive, not " + startTimeoutMillis);
        }
    }

    /** A spec whose output goes to a file or the parent's. */
    public DomainSpec(String name, List<Path> classPath, String entryClass, List<String> args, List<String> jvmOptions,
            ConfinementPlan plan, Map<String, String> environment, long startTimeoutMillis, Path output) {
        this(name, classPath, entryClass, args, jvmOptions, plan, environment, startTimeoutMillis, output, null);
    }

    /** A spec with defaults: no extra options or environment, 30 s to start, output inherited. */
    public static DomainSpec of(String name, List<Path> classPath, Class<? extends DomainEntry> entry, ConfinementPlan plan, String... args) {
        return new DomainSpec(name, classPath, entry.getName(), List.of(args), List.of(), plan, Map.of(), 30_000, null);
    }

    public DomainSpec withJvmOptions(String... options) {
        return new DomainSpec(name, classPath, entryClass, args, List.of(options), plan, environment, startTimeoutMillis, output, lines);
    }

    public DomainSpec withOutput(Path file) {
        return new DomainSpec(name, classPath, entryClass, args, jvmOptions, plan, environment, startTimeoutMillis, file, null);
    }

    /** The child's stdout and stderr, line by line, to {@code sink} (a log). */
    public DomainSpec withOutputLines(java.util.function.Consumer<String> sink) {
        return new DomainSpec(name, classPath, entryClass, args, jvmOptions, plan, environment, startTimeoutMillis, null, sink);
    }
}
