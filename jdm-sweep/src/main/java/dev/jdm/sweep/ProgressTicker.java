package dev.jdm.sweep;

import java.util.ArrayList;
import java.util.List;

/** Samples the targets of a run twice a second and tells the listener, with throughput and ETA. */
final class ProgressTicker {
    private static final long PERIOD_MS = 500;
    private final List<TargetRun> runs;
    private final Progress.Listener listener;
    private final long[] lastDone;
    private final double[] rate;
    private long lastNanos;
    private Thread thread;

    ProgressTicker(List<TargetRun> runs, Progress.Listener listener) {
        this.runs = runs;
        this.listener = listener;
        this.lastDone = new long[runs.size()];
        this.rate = new double[runs.size()];
    }

    void start() {
        lastNanos = System.nanoTime();
        for (int i = 0; i < runs.size(); i++) {
            lastDone[i] = runs.get(i).done();
        }
        thread = Thread.ofPlatform().daemon().name("sweep-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(PERIOD_MS);
                    tick();
                }
            } catch (InterruptedException e) {
                // stopped
            }
        });
    }

    void stop() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tick(); // the final state
    }

    private synchronized void tick() {
        long now = System.nanoTime();
        double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
        lastNanos = now;
        List<Progress> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            TargetRun r = runs.get(i);
            long done = r.done();
            double inst = (done - lastDone[i]) / secs;
            lastDone[i] = done;
            rate[i] = rate[i] == 0 ? inst : 0.7 * rate[i] + 0.3 * inst; // smooth, but follow phase changes
            long left = r.total() - done;
            long eta = r.finished() ? 0 : rate[i] > 0 ? (long) Math.ceil(left / rate[i]) : -1;
            out.add(new Progress(r.name(), r.phaseName(), done, r.total(), (long) rate[i], eta, r.problems(), r.finished()));
        }
        listener.progress(out);
    }
}
