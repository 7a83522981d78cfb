package dev.jdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jdm.sweep.Progress;
import dev.jdm.sweep.Sizes;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code jdm sweep} shows progress: bars redrawn in place on a terminal, a plain line per
 * target every few seconds otherwise, or one JSON object per line with {@code --json}.
 */
final class SweepOutput implements Progress.Listener {
    enum Mode { TERMINAL, PLAIN, JSON }

    private static final long PLAIN_EVERY_NANOS = 5_000_000_000L;
    private final PrintWriter out;
    private final Mode mode;
    private final ObjectMapper json = new ObjectMapper();
    private int barLines;
    private long lastPlain;

    SweepOutput(PrintWriter out, Mode mode) {
        this.out = out;
        this.mode = mode;
    }

    @Override
    public synchronized void progress(List<Progress> targets) {
        switch (mode) {
            case JSON -> {
                for (Progress p : targets) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("type", "progress");
                    m.put("target", p.target());
                    m.put("phase", p.phase());
                    m.put("done", p.done());
                    m.put("total", p.total());
                    m.put("bytesPerSecond", p.bytesPerSecond());
                    m.put("etaSeconds", p.etaSeconds());
                    m.put("problems", p.problems());
                    m.put("finished", p.finished());
                    line(m);
                }
            }
            case TERMINAL -> {
                if (barLines > 0) {
                    out.print("\033[" + barLines + "A"); // back to the first bar
                }
                for (Progress p : targets) {
                    out.print("\r\033[2K" + bar(p) + "\n");
                }
                barLines = targets.size();
                out.flush();
            }
            case PLAIN -> {
                long now = System.nanoTime();
                boolean allDone = targets.stream().allMatch(Progress::finished);
                if (now - lastPlain >= PLAIN_EVERY_NANOS || allDone) {
                    lastPlain = now;
                    targets.forEach(p -> out.println(text(p)));
                    out.flush();
                }
            }
        }
    }

    @Override
    public synchronized void event(String target, String message) {
        if (mode == Mode.JSON) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "event");
            m.put("target", target);
            m.put("message", message);
            line(m);
            return;
        }
        if (mode == Mode.TERMINAL && barLines > 0) {
            out.print("\033[" + barLines + "A\r\033[J"); // the bars are redrawn below the event
            barLines = 0;
        }
        out.println(target + ": " + message);
        out.flush();
    }

    /** One JSON object on its own line. */
    synchronized void line(Map<String, Object> m) {
        try {
            out.println(json.writeValueAsString(m));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String bar(Progress p) {
        int width = 30;
        int filled = (int) Math.round(p.fraction() * width);
        return String.format("%-10s [%s%s] %3d%%  %s", p.target(), "#".repeat(filled), ".".repeat(width - filled),
                (int) Math.floor(p.fraction() * 100), detail(p));
    }

    static String text(Progress p) {
        return String.format("%s: %3d%% %s", p.target(), (int) Math.floor(p.fraction() * 100), detail(p));
    }

    private static String detail(Progress p) {
        return p.phase() + "  " + Sizes.human(p.done()) + " of " + Sizes.human(p.total()) + "  " + Sizes.human(p.bytesPerSecond()) + "/s"
                + (p.finished() ? "" : "  ETA " + eta(p.etaSeconds())) + (p.problems() > 0 ? "  problems " + p.problems() : "");
    }

    static String eta(long s) {
        return s < 0 ? "?" : String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
