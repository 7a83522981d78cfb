package dev.jdm.sweep.lu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether an LU is in use for {@code jdm sweep}: opened by a holder other than this process's own
 * sweep handles, either itself or its disk (a partition) or one of its partitions (a disk), since
 * writing either overwrites the other. An NBD export holds its LU, so an exported LU is in use.
 */
final class SweepLuUsage {
    private SweepLuUsage() {}

    /**
     * One LU as the block layer lists it.
     *
     * @param disk the whole device of a partition, empty for a whole device
     * @param holders who holds it open ({@code nbd}, {@code sweep}, ...)
     * @param openCount open references over all holders
     */
    record View(String name, String disk, List<String> holders, int openCount) {}

    /**
     * Why {@code name} is in use by someone else, or empty.
     *
     * @param mine this process's own open handles by LU name, which do not count
     */
    static Optional<String> reason(String name, List<View> all, Map<String, Integer> mine) {
        View self = all.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
        if (self == null) {
            return Optional.of("no longer listed by the block layer");
        }
        List<String> out = new ArrayList<>();
        describe(self, mine, "").ifPresent(out::add);
        for (View v : all) {
            if (!self.disk().isEmpty() && v.name().equals(self.disk())) {
                describe(v, mine, "its disk " + v.name() + " ").ifPresent(out::add);
            } else if (self.disk().isEmpty() && v.disk().equals(name)) {
                describe(v, mine, "its partition " + v.name() + " ").ifPresent(out::add);
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", out));
    }

    private static Optional<String> describe(View v, Map<String, Integer> mine, String prefix) {
        int others = v.openCount() - mine.getOrDefault(v.name(), 0);
        if (others <= 0) {
            return Optional.empty();
        }
        List<String> holders = v.holders();
        if (holders.contains("nbd")) {
            return Optional.of(prefix + "exported over nbd");
        }
        boolean onlySweep = holders.equals(List.of("sweep"));
        return Optional.of(prefix + (onlySweep ? "open by another sweep" : "open by " + String.join(", ", holders)));
    }
}
