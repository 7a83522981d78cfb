package dev.jdm.host.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** A distribution of recovery latencies, printed as percentiles in milliseconds. */
public final class Latencies {
    private Latencies() {}

    /** The {@code q}-quantile (0..1) of {@code nanos}, in milliseconds; nearest rank. */
    public static double quantileMs(List<Long> nanos, double q) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int i = (int) Math.min(s.size() - 1, Math.max(0, Math.ceil(q * s.size()) - 1));
        return s.get(i) / 1e6;
    }

    /** One line: count, min, p50, p90, p99, max. */
    public static String describe(String what, List<Long> nanos) {
        if (nanos.isEmpty()) {
            return what + ": no samples";
        }
        return String.format(Locale.ROOT, "%s: %d samples, min %.0f ms, p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms", what, nanos.size(),
                quantileMs(nanos, 0), quantileMs(nanos, 0.5), quantileMs(nanos, 0.9), quantileMs(nanos, 0.99), quantileMs(nanos, 1));
    }
}
