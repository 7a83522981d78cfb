package dev.jdm.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a sweep: every target on its own pipeline, progress to a listener, resumable state in the
 * state directory, and at the end a signed report there. Set the stop flag (as a signal handler
 * does) and every target stops at its next chunk boundary, flushes and records where it stopped.
 */
public final class Sweeper {
    /**
     * Where and for whom a run happens.
     *
     * @param checkpointMillis how often progress is flushed and recorded (the most a crash redoes)
     */
    public record Context(Path stateDir, String host, String jdmVersion, Progress.Listener listener, long checkpointMillis) {
        public Context {
            if (listener == null) {
                listener = targets -> { };
            }
        }
    }

    /** How a run ended. */
    public enum Status { COMPLETED, STOPPED }

    /**
     * The outcome: a report (and the files it was written to) when completed; the state file to
     * resume from when stopped.
     */
    public record Result(Status status, SweepReport report, Path reportJson, Path reportText, Path stateFile) {}

    private Sweeper() {}

    /** Starts a new run of a plan over its devices (in plan order). */
    public static Result start(SweepPlan plan, List<? extends SweepDevice> devices, Context ctx, AtomicBoolean stop) {
        Path file = SweepState.file(ctx.stateDir(), names(devices));
        if (Files.exists(file)) {
            throw new SweepException("EEXIST", "an interrupted sweep of " + String.join(", ", names(devices))
                    + " exists: continue it with --resume, or remove " + file);
        }
        SweepState state = SweepState.create(plan, Keystream.newKey(), UUID.randomUUID().toString(), now());
        state.save(file);
        return execute(state, file, devices, ctx, stop);
    }

    /** Continues the interrupted run over these devices, with its key and settings. */
    public static Result resume(List<? extends SweepDevice> devices, Context ctx, AtomicBoolean stop) {
        Path file = SweepState.file(ctx.stateDir(), names(devices));
        SweepState state = SweepState.load(file);
        if (state.targets.size() != devices.size()) {
            throw new SweepException("EINVAL", file + ": the interrupted run had " + state.targets.size() + " targets, not " + devices.size());
        }
        for (int i = 0; i < devices.size(); i++) {
            SweepDevice d = devices.get(i);
            SweepState.TargetState t = state.targets.get(i);
            if (!t.name.equals(d.name()) || t.size != d.size() || t.blockSize != d.logicalBlockSize()) {
                throw new SweepException("EINVAL", d.name() + ": is not the device the interrupted run swept (" + t.name + ", "
                        + t.size + " bytes, " + t.blockSize + "-byte blocks); refusing to resume");
            }
            if (d.inUseReason().isPresent()) {
                throw new SweepException("EBUSY", d.name() + ": in use (" + d.inUseReason().get() + "); stop using it first");
            }
        }
        state.resumes++;
        return execute(state, file, devices, ctx, stop);
    }

    /** The state of the interrupted run over these targets, if any (for showing what a resume would do). */
    public static SweepState interrupted(Path stateDir, List<String> names) {
        return SweepState.load(SweepState.file(stateDir, names));
    }

    private static Result execute(SweepState state, Path file, List<? extends SweepDevice> devices, Context ctx, AtomicBoolean stop) {
        state.save(file);
        List<TargetRun> runs = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            runs.add(new TargetRun(devices.get(i), state, state.targets.get(i), stop, () -> state.save(file), ctx.listener(), ctx.checkpointMillis()));
        }
        ProgressTicker ticker = new ProgressTicker(runs, ctx.listener());
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            int n = i;
            threads.add(Thread.ofPlatform().name("sweep-" + runs.get(i).name()).start(() -> {
                try {
                    runs.get(n).run();
                } catch (Throwable t) {
                    failure[n] = t;
                    stop.set(true); // the others stop cleanly; this one stops where it failed
                }
            }));
        }
        ticker.start();
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stop.set(true);
            Thread.currentThread().interrupt();
            throw new SweepException("EINTR", "interrupted while sweeping; progress is in " + file);
        } finally {
            ticker.stop();
        }
        for (Throwable t : failure) {
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new SweepException("EIO", "the sweep failed: " + t.getMessage() + "; progress up to the last checkpoint is in " + file, t);
            }
        }
        if (!runs.stream().allMatch(TargetRun::finished)) {
            return new Result(Status.STOPPED, null, null, null, file);
        }
        SweepReport report = report(state, ctx);
        Path dir = ctx.stateDir().resolve("sweep").resolve("reports");
        Path json = dir.resolve(state.runId + ".json");
        Path text = dir.resolve(state.runId + ".txt");
        try {
            Files.createDirectories(dir);
            Files.write(json, ReportSigner.loadOrCreate(ctx.stateDir()).sign(report));
            Files.writeString(text, report.text());
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new SweepException("EIO", dir + ": cannot write the report (" + e.getMessage() + "); the run's state stays in " + file);
        }
        return new Result(Status.COMPLETED, report, json, text, null);
    }

    static SweepReport report(SweepState s, Context ctx) {
        List<SweepReport.Target> targets = new ArrayList<>();
        boolean allPassed = true;
        for (SweepState.TargetState t : s.targets) {
            boolean ioErrors = t.errors.stream().anyMatch(e -> !e.kind().equals("MISMATCH")) || t.errorsOmitted > 0;
            String verifyResult = s.verify == SweepOptions.Verify.OFF ? "not verified" : t.mismatches == 0 && !ioErrors ? "passed" : "failed";
            boolean passed = !ioErrors && t.mismatches == 0 && t.errors.isEmpty();
            allPassed &= passed;
            String coverage = Sanitization.Coverage.of(t.wholeDevice, t.start);
            Boolean bootArea = t.wholeDevice ? t.start == 0 : null;
            targets.add(new SweepReport.Target(t.name, t.size, t.blockSize, t.wholeDevice, t.model, t.serial, t.start, t.end,
                    bootArea, coverage, t.bytesWritten, t.bytesVerified, t.writeZeroes, verifyResult, t.mismatches, List.copyOf(t.errors),
                    t.errorsOmitted, passed ? "passed" : "failed"));
        }
        return new SweepReport(SweepReport.FORMAT, s.runId, ctx.host(), ctx.jdmVersion(), s.method.name().toLowerCase(), s.passes,
                s.verify.name().toLowerCase(), Sanitization.of(s.method, s.verify, s.passes), s.started, now(), s.resumes, allPassed ? "passed" : "failed", List.copyOf(targets));
    }

    private static List<String> names(List<? extends SweepDevice> devices) {
        return devices.stream().map(SweepDevice::name).toList();
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
