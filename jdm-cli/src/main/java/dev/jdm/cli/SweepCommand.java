package dev.jdm.cli;

import dev.jdm.host.Host;
import dev.jdm.sweep.DeviceInfo;
import dev.jdm.sweep.ReportSigner;
import dev.jdm.sweep.Sizes;
import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import dev.jdm.sweep.SweepOptions;
import dev.jdm.sweep.SweepPlan;
import dev.jdm.sweep.SweepReport;
import dev.jdm.sweep.SweepState;
import dev.jdm.sweep.Sweeper;
import dev.jdm.sweep.tui.SweepTui;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm sweep}: the disk sweeper. Read-only unless {@code --write}. */
@Command(name = "sweep", description = {
        "Overwrite block devices with zeros or a random keystream, verify, and sign a report.",
        "Read-only unless --write: without it, shows exactly what it would do and changes nothing.",
        "Never writes below 0x10000 of a whole device (the boot area) unless --include-boot-area.",
        "Exit codes: 0 done and passed, 1 failed (I/O errors, mismatches, tampered report) or refused, 2 bad arguments",
        "or paths, 3 no host reachable (for LU names), 4 stopped before the end with progress saved; Ctrl-C and SIGTERM",
        "stop the same way at a chunk boundary but exit 130 and 143, as the shell reports a signal. Continue with --resume."},
        sortOptions = false)
final class SweepCommand implements Callable<Integer> {
    static final int STOPPED = 4;

    @ParentCommand JdmCommand root;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TARGET", arity = "0..*", description = {"a running host's LUs by name (ram0, ram0p2), or files and block devices",
            "by path (./disk.img, /dev/sdb): those are opened by an embedded host, no running host needed"})
    List<String> targets = new ArrayList<>();

    @Option(names = "--list", description = "list the devices and partitions that can be swept (the host's, or the paths given)") boolean list;

    @ArgGroup(exclusive = true)
    MethodChoice method = new MethodChoice();

    static final class MethodChoice {
        @Option(names = "--zeros", description = "write zeros, by write-zeroes where the device supports it (default)") boolean zeros;
        @Option(names = "--random", description = "write an AES-256-CTR keystream under a per-run key") boolean random;
    }

    @Option(names = "--verify", paramLabel = "off|last|all", defaultValue = "last",
            description = "read back: off, after the last pass, or after every pass (default ${DEFAULT-VALUE})")
    String verify;

    @Option(names = "--passes", paramLabel = "N", defaultValue = "1", description = "times every byte is written (default ${DEFAULT-VALUE})")
    int passes;

    @Option(names = "--write", description = "really write; without it nothing is changed") boolean write;
    @Option(names = {"-y", "--yes"}, description = "do not ask before writing a whole device") boolean yes;
    @Option(names = "--include-boot-area", description = "also write the boot area, the first 0x10000 bytes of a whole device (partition"
            + " table, boot loader): on paths always; on a running host's LU once its driver or an administrator lowered its guard")
    boolean bootArea;
    @Option(names = "--resume", description = "continue the interrupted run over these targets, with its key and settings") boolean resume;
    @Option(names = "--json", description = "machine-readable plan, progress and result, one JSON object per line") boolean json;
    @Option(names = "--tui", description = "the terminal interface: pick devices and options, start, watch") boolean tui;
    @Option(names = "--check-report", paramLabel = "FILE", description = "check a report's signature and show it") Path checkReport;
    @Option(names = "--key", paramLabel = "FILE", description = "with --check-report: the public key it must be signed by (default: the state dir's)") Path key;
    @Option(names = "--state-dir", paramLabel = "DIR", description = "where keys, run state and reports live (default: the host's state dir)") Path stateDir;

    @Option(names = "--memory-device", paramLabel = "NAME:SIZE[,OPT...]", hidden = true,
            description = "sweep a device in memory (part, bs=N, guard=N, ro, nowz, model=S, serial=S, inuse=S, fill=B, fail-read=OFF+LEN, fail-write=OFF+LEN)")
    List<String> memoryDevices = new ArrayList<>();
    @Option(names = "--chunk-size", paramLabel = "SIZE", hidden = true, description = "bytes per I/O (default 8M)") String chunkSize;
    // Each checkpoint flushes the device, which costs real time on disks with a write cache: every 5 s
    // kept a 4 GiB file sweep at dd's speed, where every 1 s cost a third of it; a crash redoes at most 5 s.
    @Option(names = "--checkpoint-ms", paramLabel = "MS", hidden = true, defaultValue = "5000", description = "how often progress is flushed and recorded") long checkpointMs;

    @Override
    public Integer call() {
        try {
            return run();
        } catch (SweepException e) {
            int code = e instanceof dev.jdm.sweep.lu.GateSweepDevices.HostRefusal ? CliException.HOST_ERROR : exitCode(e.errno());
            throw new CliException(code, e.getMessage() + " [" + e.errno() + "]");
        }
    }

    /**
     * A refusal made here, not by a host: a path, report or option that does not exist or does not
     * fit is the command line's mistake (2). What a host refuses is its answer (1), as for jdm blk.
     */
    static int exitCode(String errno) {
        return switch (errno) {
            case "ENOENT", "EINVAL", "EISDIR" -> CliException.USAGE;
            default -> CliException.HOST_ERROR;
        };
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private Path stateDir() {
        return stateDir != null ? stateDir : Host.defaultRuntimeDir().resolve("state");
    }

    SweepOptions options() {
        SweepOptions.Verify v = switch (verify.toLowerCase()) {
            case "off" -> SweepOptions.Verify.OFF;
            case "last" -> SweepOptions.Verify.LAST;
            case "all" -> SweepOptions.Verify.ALL;
            default -> throw new SweepException("EINVAL", "--verify must be off, last or all, not \"" + verify + "\"");
        };
        int chunk = chunkSize == null ? SweepOptions.DEFAULT_CHUNK : (int) Sizes.parse(chunkSize);
        return new SweepOptions(method.random ? SweepOptions.Method.RANDOM : SweepOptions.Method.ZEROS, v, passes, bootArea, chunk);
    }

    Sweeper.Context context(dev.jdm.sweep.Progress.Listener listener) {
        return new Sweeper.Context(stateDir(), hostName(), Host.VERSION, listener, checkpointMs);
    }

    private int run() throws SweepException {
        if (checkReport != null) {
            return checkReport();
        }
        SweepDevices devices = SweepProviders.choose(root, memoryDevices, targets);
        try {
            return run(devices);
        } finally {
            if (devices instanceof AutoCloseable c && devices != root.sweepDevices) {
                try {
                    c.close();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("jdm sweep: closing devices: " + e.getMessage());
                }
            }
        }
    }

    private int run(SweepDevices devices) {
        if (list) {
            return list(devices);
        }
        SweepOptions options = options();
        if (tui) {
            try {
                return SweepTui.run(new SweepTui.Setup(devices, write, yes, options, context(null)));
            } catch (java.io.IOException e) {
                throw new SweepException("EIO", "cannot run the terminal interface: " + e.getMessage());
            }
        }
        if (targets.isEmpty()) {
            throw new CliException(CliException.USAGE, "name at least one TARGET (see jdm sweep --list), or use --list or --tui");
        }
        List<SweepDevice> open = new ArrayList<>();
        try {
            for (String t : targets) {
                SweepDevice d = devices.open(t, write);
                open.add(d);
                if (open.stream().filter(o -> o.name().equals(d.name())).count() > 1) {
                    throw new SweepException("EINVAL", t + ": named twice");
                }
            }
            return sweep(devices, open, options);
        } finally {
            open.forEach(SweepDevice::close);
        }
    }

    private int sweep(SweepDevices devices, List<SweepDevice> open, SweepOptions options) {
        List<String> names = open.stream().map(SweepDevice::name).toList();
        SweepState resumed = resume ? Sweeper.interrupted(stateDir(), names) : null;
        SweepOptions chosen = resumed != null ? resumed.options() : options; // a resume keeps the run's own settings
        if (resumed != null && bootArea && !chosen.includeBootArea()) {
            throw new SweepException("EINVAL", "--include-boot-area: the interrupted run keeps the boot area, and a resume keeps its"
                    + " run's settings; resume without it, or remove " + SweepState.file(stateDir(), names) + " and start a new run");
        }
        if (chosen.includeBootArea()) {
            open.forEach(devices::includeBootArea);
        }
        SweepPlan plan = SweepPlan.of(open, chosen, write);
        showPlan(plan, resumed);
        if (!write) {
            if (!json) {
                out().println("read-only: nothing was written. Add --write to sweep.");
            }
            return 0;
        }
        confirm(plan);
        SweepOutput output = new SweepOutput(out(), json ? SweepOutput.Mode.JSON : isTerminal() ? SweepOutput.Mode.TERMINAL : SweepOutput.Mode.PLAIN);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C and SIGTERM: stop at the next chunk boundary, flush, record the state, then let the JVM go.
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exit anyway
            }
        }, "sweep-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            Sweeper.Result r = resume ? Sweeper.resume(open, context(output), stop) : Sweeper.start(plan, open, context(output), stop);
            return finish(r, System.nanoTime() - t0, output);
        } finally {
            out().flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it lets the JVM exit now
            }
        }
    }

    private int finish(Sweeper.Result r, long nanos, SweepOutput output) {
        PrintWriter out = out();
        if (r.status() == Sweeper.Status.STOPPED) {
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("type", "result");
                m.put("status", "stopped");
                m.put("state", r.stateFile().toString());
                output.line(m);
            } else {
                out.println("stopped; progress is recorded in " + r.stateFile());
                out.println("continue with: jdm sweep " + String.join(" ", targets) + " --resume --write");
            }
            return STOPPED;
        }
        SweepReport rep = r.report();
        long bytes = rep.targets().stream().mapToLong(t -> t.bytesWritten() + t.bytesVerified()).sum();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "result");
            m.put("status", rep.result());
            m.put("report", rep);
            m.put("reportJson", r.reportJson().toString());
            m.put("reportText", r.reportText().toString());
            m.put("elapsedMs", nanos / 1_000_000);
            m.put("bytes", bytes);
            m.put("bytesPerSecond", nanos == 0 ? 0 : (long) (bytes / (nanos / 1e9)));
            output.line(m);
        } else {
            out.print(rep.text());
            out.println("report: " + r.reportJson() + " (signed), " + r.reportText());
        }
        return rep.passed() ? 0 : CliException.HOST_ERROR;
    }

    private void showPlan(SweepPlan plan, SweepState resumed) {
        SweepOptions o = plan.options();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "plan");
            m.put("write", write);
            m.put("method", o.method().name().toLowerCase());
            m.put("verify", o.verify().name().toLowerCase());
            m.put("passes", o.passes());
            m.put("resume", resumed != null);
            List<Map<String, Object>> ts = new ArrayList<>();
            for (SweepPlan.Target t : plan.targets()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("name", t.device().name());
                tm.put("size", t.device().size());
                tm.put("start", t.start());
                tm.put("end", t.end());
                if (t.device().wholeDevice()) {
                    tm.put("bootAreaIncluded", t.start() == 0);
                }
                if (resumed != null) {
                    tm.put("resumeAt", resumed.targets.get(t.index()).position);
                }
                ts.add(tm);
            }
            m.put("targets", ts);
            new SweepOutput(out(), SweepOutput.Mode.JSON).line(m);
            return;
        }
        PrintWriter out = out();
        out.println((write ? "will " : "would ") + (resumed != null ? "resume sweeping" : "sweep") + " with "
                + (o.method() == SweepOptions.Method.RANDOM ? "random data (AES-256-CTR keystream)" : "zeros") + ", "
                + o.passes() + (o.passes() == 1 ? " pass" : " passes") + ", verify " + o.verify().name().toLowerCase() + ":");
        for (SweepPlan.Target t : plan.targets()) {
            DeviceInfo d = t.device();
            out.printf("  %-10s %s, %s: bytes [%s, %s) = %d bytes%s%n", d.name(), Sizes.human(d.size()), d.wholeDevice() ? "whole device" : "partition",
                    Sizes.hex(t.start()), Sizes.hex(t.end()), t.length(), SweepReport.bootAreaNote(d.wholeDevice(), t.start()));
            if (resumed != null) {
                SweepState.TargetState s = resumed.targets.get(t.index());
                out.printf("  %-10s continues at phase %d, byte %s%n", "", s.phase + 1, Sizes.hex(s.position));
            }
        }
        out.flush();
    }

    /** Whole devices need a yes: typed on a terminal, or --yes. Without a terminal and --yes: refuse. */
    private void confirm(SweepPlan plan) {
        String loss = plan.lossWarning();
        if (loss == null || yes) {
            return;
        }
        Console c = System.console();
        if (c == null || !c.isTerminal()) {
            List<String> whole = plan.targets().stream().filter(t -> t.device().wholeDevice()).map(t -> t.device().name()).toList();
            throw new SweepException("EPERM", "refusing to write whole device " + String.join(", ", whole)
                    + " without confirmation: not a terminal, so add --yes");
        }
        String answer = c.readLine("%s Type yes to go on: ", loss);
        if (answer == null || !answer.strip().equals("yes")) {
            throw new SweepException("ECANCELED", "not confirmed; nothing was written");
        }
    }

    private int list(SweepDevices devices) {
        List<DeviceInfo> all = devices.list();
        PrintWriter out = out();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (DeviceInfo d : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("size", d.size());
                m.put("blockSize", d.logicalBlockSize());
                m.put("type", d.wholeDevice() ? "disk" : "part");
                m.put("guard", d.guardLimit());
                m.put("readOnly", d.readOnly());
                m.put("partitionTable", d.partitionTableType().orElse(null));
                m.put("label", d.label().orElse(null));
                m.put("uuid", d.uuid().orElse(null));
                m.put("model", d.model().orElse(null));
                m.put("serial", d.serial().orElse(null));
                m.put("inUse", d.inUseReason().orElse(null));
                m.put("writeZeroes", d.supportsWriteZeroes());
                rows.add(m);
            }
            JdmCommand.printJson(out, rows);
            return 0;
        }
        out.printf("%-12s %10s %6s %-5s %-8s %-5s %-12s %-38s %-16s %s%n", "NAME", "SIZE", "BS", "TYPE", "GUARD", "PTTYPE", "LABEL", "UUID", "MODEL", "IN USE");
        for (DeviceInfo d : all) {
            out.printf("%-12s %10s %6d %-5s %-8s %-5s %-12s %-38s %-16s %s%n", d.name(), Sizes.human(d.size()), d.logicalBlockSize(),
                    d.wholeDevice() ? "disk" : "part", d.wholeDevice() ? Sizes.hex(d.guardLimit()) : "-", d.partitionTableType().orElse("-"),
                    d.label().orElse("-"), d.uuid().orElse("-"), d.model().orElse("-"),
                    d.inUseReason().orElse("no") + (d.readOnly() ? " (read-only)" : ""));
        }
        out.flush();
        return 0;
    }

    private int checkReport() {
        PublicKey trusted = null;
        Path pub = key != null ? key : ReportSigner.publicKeyFile(stateDir());
        if (key != null || Files.exists(pub)) {
            trusted = ReportSigner.readPublicKey(pub);
        }
        ReportSigner.Checked c = ReportSigner.check(checkReport, trusted);
        PrintWriter out = out();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("signature", c.trusted() ? "valid" : "valid, untrusted key");
            m.put("keyId", c.keyId());
            m.put("report", c.report());
            JdmCommand.printJson(out, m);
        } else {
            out.print(c.report().text());
            out.println("signature:   valid, Ed25519 key " + c.keyId() + (c.trusted() ? " (" + pub + ")" : ""));
        }
        out.flush();
        if (!c.trusted()) {
            throw new SweepException("EKEYREJECTED", checkReport + ": the signature matches the key the report names, but no trusted key"
                    + " was given to compare it with (--key FILE, or --state-dir of the host that signed it)");
        }
        return 0;
    }

    private static boolean isTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : "unknown";
        }
    }
}
