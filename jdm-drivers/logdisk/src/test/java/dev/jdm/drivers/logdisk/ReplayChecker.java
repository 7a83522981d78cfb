package dev.jdm.drivers.logdisk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a logdisk log against what its clients were promised, at every power cut the log allows:
 * after each of its entries. The device claims a volatile cache, so at a cut only the entries
 * before the cut's last FLUSH, and FUA entries, survive (newest wins per sector). The promises are
 * Linux's REQ_PREFLUSH and REQ_FUA, and the NBD spec's NBD_CMD_FLUSH and NBD_CMD_FLAG_FUA: once a
 * FLUSH is acknowledged, every write acknowledged before it was submitted is durable, and an
 * acknowledged FUA write is durable; each sector holds the write's data or a later write's.
 *
 * <p>Writes are found in the log by content, sector by sector: a write's sector is the first log
 * entry that leaves its digest there and completed after the write was submitted (so an earlier
 * write of the same bytes is not mistaken for it). That survives merging and splitting, and needs
 * no stamp in the data, so fio's and a file system's writes are checked as well as a test's.
 * Times are CLOCK_MONOTONIC ({@code System.nanoTime} in any process): a cut after entry {@code c-1}
 * happens after {@code nanos(c-1)}, so every promise made before that binds it, and every promise
 * at all binds the cut after the last entry.
 *
 * <p>Survival only grows from cut to cut and a promise, once made, stays, so each write is checked
 * once, at the first cut that binds it: the check is linear in the log, however many cuts it has.
 */
public final class ReplayChecker {
    /** A write as its client saw it: range, FUA, submit and acknowledgement times, and a digest per sector. */
    public record ClientWrite(long offset, long length, boolean fua, long submitNanos, long ackNanos, long[] digests) {
        /** A write of zeroes (NBD_CMD_WRITE_ZEROES). */
        public static ClientWrite zeroes(long offset, long length, boolean fua, long submitNanos, long ackNanos) {
            long[] d = new long[(int) (length / WriteLog.SECTOR)];
            Arrays.fill(d, WriteLog.digest(ByteBuffer.allocate(WriteLog.SECTOR)));
            return new ClientWrite(offset, length, fua, submitNanos, ackNanos, d);
        }
    }

    /** A flush as its client saw it: when it was submitted and when acknowledged. */
    public record ClientFlush(long submitNanos, long ackNanos) {}

    /** What a check found: cuts covered, sector checks made, promised writes, violations (count, and the first few). */
    public record Result(int cuts, long sectorChecks, long promised, long violationCount, List<String> violations) {}

    private static final int KEEP = 20;

    private ReplayChecker() {}

    public static Result check(WriteLog log, long deviceSize, List<ClientWrite> writes, List<ClientFlush> flushes) {
        List<WriteLog.Entry> e = log.entries();
        int n = e.size();
        SectorIndex index = new SectorIndex(e, (int) (deviceSize / WriteLog.SECTOR));
        // the first cut binding each write, from its promise time
        List<ClientFlush> bySubmit = flushes.stream().sorted(Comparator.comparingLong(ClientFlush::submitNanos)).toList();
        long[] minAckFrom = new long[bySubmit.size() + 1];
        minAckFrom[bySubmit.size()] = Long.MAX_VALUE;
        for (int i = bySubmit.size() - 1; i >= 0; i--) {
            minAckFrom[i] = Math.min(minAckFrom[i + 1], bySubmit.get(i).ackNanos());
        }
        long[] nanos = e.stream().mapToLong(WriteLog.Entry::nanos).toArray();
        List<List<ClientWrite>> bindsAt = new ArrayList<>();
        for (int c = 0; c <= n; c++) {
            bindsAt.add(new ArrayList<>());
        }
        long promised = 0;
        for (ClientWrite w : writes) {
            long promise = Math.min(w.fua() ? w.ackNanos() : Long.MAX_VALUE, minAckFrom[firstSubmittedAfter(bySubmit, w.ackNanos())]);
            if (promise == Long.MAX_VALUE) {
                continue;
            }
            promised++;
            int after = firstAfter(nanos, promise);
            bindsAt.get(after < n ? after + 1 : n).add(w);
        }
        List<String> violations = new ArrayList<>();
        long count = 0;
        long checks = 0;
        int[] durable = new int[index.sectors()]; // the newest surviving entry per sector, -1 none
        Arrays.fill(durable, -1);
        List<Integer> cached = new ArrayList<>();
        for (int c = 1; c <= n; c++) {
            WriteLog.Entry x = e.get(c - 1);
            if (x.kind() == LogFormat.FLUSH) {
                cached.forEach(i -> survive(e.get(i), i, durable));
                cached.clear();
            } else if (x.fua()) {
                survive(x, c - 1, durable);
            } else {
                cached.add(c - 1);
            }
            for (ClientWrite w : bindsAt.get(c)) {
                for (long s = w.offset() / WriteLog.SECTOR, i = 0; i < w.length() / WriteLog.SECTOR; s++, i++) {
                    checks++;
                    int written = index.find((int) s, w.digests()[(int) i], w.submitNanos());
                    int holds = durable[(int) s];
                    if (written < 0 || holds < written) {
                        if (count++ < KEEP) {
                            violations.add("cut after entry " + (c - 1) + ": write " + w.offset() + "+" + w.length() + (w.fua() ? " (FUA)" : "")
                                    + " acknowledged at " + w.ackNanos() + " was promised durable, but sector " + s + " holds "
                                    + (holds < 0 ? "nothing" : "entry " + holds + "'s data")
                                    + (written < 0 ? ", and its data never reached the device"
                                            : "; its data is in entry " + written + ", which did not survive the cut"));
                        }
                        break;
                    }
                }
            }
        }
        return new Result(n, checks, promised, count, violations);
    }

    private static void survive(WriteLog.Entry x, int entry, int[] durable) {
        for (long s = x.offset() / WriteLog.SECTOR, end = (x.offset() + x.length()) / WriteLog.SECTOR; s < end; s++) {
            durable[(int) s] = Math.max(durable[(int) s], entry);
        }
    }

    /** Index of the first flush submitted after {@code nanos} (flushes sorted by submission). */
    private static int firstSubmittedAfter(List<ClientFlush> bySubmit, long nanos) {
        int lo = 0;
        int hi = bySubmit.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bySubmit.get(mid).submitNanos() > nanos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Index of the first entry completed after {@code nanos}, or the entry count. */
    private static int firstAfter(long[] nanos, long t) {
        int lo = 0;
        int hi = nanos.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (nanos[mid] > t) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** For each sector, the log entries that wrote it, in log order (compressed rows). */
    private static final class SectorIndex {
        private final List<WriteLog.Entry> entries;
        private final int[] start;
        private final int[] entry;

        SectorIndex(List<WriteLog.Entry> entries, int sectors) {
            this.entries = entries;
            start = new int[sectors + 1];
            for (WriteLog.Entry x : entries) {
                forSectors(x, s -> start[s + 1]++);
            }
            for (int s = 0; s < sectors; s++) {
                start[s + 1] += start[s];
            }
            entry = new int[start[sectors]];
            int[] fill = Arrays.copyOf(start, sectors);
            for (int i = 0; i < entries.size(); i++) {
                int at = i;
                forSectors(entries.get(i), s -> entry[fill[s]++] = at);
            }
        }

        int sectors() {
            return start.length - 1;
        }

        /** The first entry that left {@code digest} in sector {@code s} and completed after {@code submitted}, or -1. */
        int find(int s, long digest, long submitted) {
            for (int k = start[s]; k < start[s + 1]; k++) {
                WriteLog.Entry x = entries.get(entry[k]);
                if (x.nanos() > submitted && x.digest((int) (s - x.offset() / WriteLog.SECTOR)) == digest) {
                    return entry[k];
                }
            }
            return -1;
        }

        private void forSectors(WriteLog.Entry x, java.util.function.IntConsumer f) {
            if (x.kind() == LogFormat.FLUSH) {
                return;
            }
            if (x.offset() + x.length() > (long) sectors() * WriteLog.SECTOR) {
                throw new IllegalArgumentException("entry " + x.seq() + " (" + x.offset() + "+" + x.length() + ") lies beyond the device's " + sectors() + " sectors");
            }
            for (long s = x.offset() / WriteLog.SECTOR, end = (x.offset() + x.length()) / WriteLog.SECTOR; s < end; s++) {
                f.accept((int) s);
            }
        }
    }
}
