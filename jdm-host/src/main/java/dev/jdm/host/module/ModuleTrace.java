package dev.jdm.host.module;

import java.util.ArrayList;
import java.util.List;

/**
 * A module's exception as log lines, the way a driver author reads them in {@code jdm dmesg}: the
 * first line names the module and where it runs; then the frames, each with its class loader
 * ({@code jdm-module-NAME@VERSION//} for the module's own code), the JDK's and the host's between
 * two of the module's folded into one line; then each cause the same way. Bounded: a trace that
 * would flood the log ring is cut.
 */
public final class ModuleTrace {
    private static final int MAX_LINES = 40;
    private static final int MAX_CAUSES = 4;

    private ModuleTrace() {}

    /** @param where {@code colocated} or {@code isolated:NAME} (with the domain's pid, if known) */
    public static List<String> lines(String module, String where, Throwable t) {
        List<String> out = new ArrayList<>();
        out.add(module + " (" + where + "): " + t);
        int causes = 0;
        for (Throwable c = t; c != null && out.size() < MAX_LINES; c = c.getCause()) {
            if (c != t) {
                if (++causes > MAX_CAUSES) {
                    break;
                }
                out.add("caused by: " + c);
            }
            frames(c, out);
        }
        if (out.size() >= MAX_LINES) {
            out.subList(MAX_LINES - 1, out.size()).clear();
            out.add("  ... (trace cut at " + MAX_LINES + " lines)");
        }
        return out;
    }

    private static void frames(Throwable t, List<String> out) {
        int folded = 0;
        boolean seenModule = false;
        for (StackTraceElement e : t.getStackTrace()) {
            boolean mine = e.getClassLoaderName() != null && e.getClassLoaderName().startsWith("jdm-module-");
            if (mine || !seenModule) {
                if (folded > 0) {
                    out.add("  ... " + folded + " frames of the host and the JDK");
                    folded = 0;
                }
                out.add("  at " + e);
                seenModule |= mine;
            } else {
                folded++;
            }
            if (out.size() >= MAX_LINES) {
                return;
            }
        }
        if (folded > 0) {
            out.add("  ... " + folded + " frames of the host and the JDK");
        }
    }
}
