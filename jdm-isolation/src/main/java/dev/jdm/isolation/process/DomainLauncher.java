package dev.jdm.isolation.process;

import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.channel.Rendezvous;
import dev.jdm.isolation.confine.ConfinementPlan;
import dev.jdm.isolation.confine.Grant;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a domain: a child JVM (the parent's own {@code java}) running {@link DomainBoot}, the
 * rendezvous, the BOOT frame with the plan and the domain JVM's command line, and the READY (or
 * FAILED) answer. The environment is cleared to {@code PATH}, {@code LANG} and
 * {@code MALLOC_ARENA_MAX} (glibc's per-thread malloc arenas reserve 64 MiB of address space each,
 * which RLIMIT_AS would otherwise spend) plus what the spec adds.
 *
 * <p>The launcher adds the runtime's grants to the plan ({@link RuntimeGrants}): the JDK, the system
 * libraries it links and the class path.
 */
public final class DomainLauncher {
    /** Options of the domain JVM before the spec's: bounded heap, metaspace, code cache, threads. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-XX:+UseSerialGC",
            "-Xmx128m", "-Xss1m", "-XX:MaxMetaspaceSize=128m", "-XX:CompressedClassSpaceSize=64m",
            "-XX:ReservedCodeCacheSize=64m", "-XX:MaxDirectMemorySize=64m", "-XX:ActiveProcessorCount=2",
            "-XX:CICompilerCount=2");
    private static final List<String> BOOT_JVM_OPTIONS = List.of(
            "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xmx64m");

    private DomainLauncher() {}

    /** Starts {@code spec} and returns once the domain JVM reported READY, confined. */
    public static DomainProcess start(DomainSpec spec) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = spec.classPath().stream().map(Path::toString).collect(Collectors.joining(":"));
        ConfinementPlan plan = withRuntimeGrants(spec);
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.addAll(DEFAULT_JVM_OPTIONS);
        argv.addAll(spec.jvmOptions());
        argv.addAll(List.of("-cp", cp, DomainMain.class.getName(), spec.entryClass()));
        argv.addAll(spec.args());
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("MALLOC_ARENA_MAX", "2");
        env.putAll(spec.environment());

        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.startTimeoutMillis());
        try (Rendezvous rv = Rendezvous.open(null)) {
            List<String> boot = new ArrayList<>();
            boot.add(java.toString());
            boot.addAll(BOOT_JVM_OPTIONS);
            boot.addAll(List.of("-cp", cp, DomainBoot.class.getName(), rv.socketPath().toString()));
            ProcessBuilder pb = new ProcessBuilder(boot).directory(Path.of("/").toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            if (spec.lines() != null) {
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE);
            } else if (spec.output() == null) {
                pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            } else {
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(spec.output().toFile()));
            }
            Process p = pb.start();
            if (spec.lines() != null) {
                drain(p, spec.lines());
            }
            PidFd pidfd = PidFd.open(p.pid());
            try {
                try (OutputStream in = p.getOutputStream()) {
                    in.write((rv.token() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                ControlChannel ch = accept(spec, rv, p, deadline);
                try {
                    ch.send(BootProtocol.BOOT, BootProtocol.encodeBoot(new BootProtocol.Boot(plan, argv,
                            env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
                    BootProtocol.Ready ready = awaitReady(spec, ch, p, deadline);
                    return new DomainProcess(spec.name(), p, pidfd, ch, ready);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                p.destroyForcibly();
                if (pidfd != null) {
                    pidfd.close();
                }
                throw e;
            }
        }
    }

    static ConfinementPlan withRuntimeGrants(DomainSpec spec) {
        List<Grant> grants = new ArrayList<>(RuntimeGrants.of(spec.classPath()));
        ConfinementPlan plan = spec.plan();
        grants.addAll(plan.grants());
        return plan.withGrants(grants);
    }

    private static ControlChannel accept(DomainSpec spec, Rendezvous rv, Process p, long deadline) throws IOException {
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new DomainStartException("domain " + spec.name() + ": pid " + p.pid() + " did not connect within " + spec.startTimeoutMillis() + " ms");
            }
            if (!p.isAlive()) {
                throw new DomainStartException("domain " + spec.name() + ": boot process " + p.pid() + " ended before the rendezvous, "
                        + ExitStatus.fromExitValue(p.exitValue()));
            }
            if (rv.pending(Math.min(100, left))) {
                return rv.accept(p.pid(), Math.max(1, left));
            }
        }
    }

    private static BootProtocol.Ready awaitReady(DomainSpec spec, ControlChannel ch, Process p, long deadline) throws IOException {
        while (!ch.socket().pollIn(100)) {
            if (System.nanoTime() > deadline) {
                throw new DomainStartException("domain " + spec.name() + ": no READY within " + spec.startTimeoutMillis() + " ms");
            }
            if (!p.isAlive()) {
                break; // the socket reports end of stream next
            }
        }
        Frame f;
        try {
            f = ch.receive();
        } catch (java.io.EOFException e) {
            throw new DomainStartException("domain " + spec.name() + ": pid " + p.pid() + " closed the control channel before READY"
                    + exitSuffix(p), e);
        }
        f.closeFds();
        if (f.type() == BootProtocol.FAILED) {
            throw new DomainStartException("domain " + spec.name() + " refused to start: " + new String(f.payload(), StandardCharsets.UTF_8));
        }
        if (f.type() != BootProtocol.READY) {
            throw new DomainStartException("domain " + spec.name() + ": expected READY, got frame type " + f.type());
        }
        BootProtocol.Ready ready = BootProtocol.Ready.decode(f.payload());
        if (ready.pid() != p.pid()) {
            throw new DomainStartException("domain " + spec.name() + ": READY from pid " + ready.pid() + ", expected " + p.pid());
        }
        if (spec.plan().uid() >= 0 && ready.uid() != spec.plan().uid()) {
            throw new DomainStartException("domain " + spec.name() + " runs as uid " + ready.uid() + ", expected " + spec.plan().uid());
        }
        if (ready.landlockAbi() <= 0 && !spec.plan().allowWithoutLandlock()) {
            throw new DomainStartException("domain " + spec.name() + " reports no Landlock confinement, and its plan does not allow that");
        }
        return ready;
    }

    private static String exitSuffix(Process p) {
        try {
            return p.waitFor(2, TimeUnit.SECONDS) ? ", " + ExitStatus.fromExitValue(p.exitValue()) : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Hands the child's output to {@code lines} until it ends; a line longer than 4 KiB is cut. */
    private static void drain(Process p, java.util.function.Consumer<String> lines) {
        // A platform thread: the read blocks in the kernel holding the reader's lock, which would pin
        // a virtual thread's carrier; two domains' readers pinned both carriers of a 2-core host and
        // starved every virtual thread (gate and NBD connections).
        Thread.ofPlatform().daemon().name("domain-output-" + p.pid()).start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.accept(line.length() > 4096 ? line.substring(0, 4096) + " [cut]" : line);
                }
            } catch (IOException | RuntimeException e) {
                // the child is gone, or the sink failed: its exit is reported elsewhere
            }
        });
    }
}
