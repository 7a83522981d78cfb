package dev.jdm.drivers.logdisk;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * Replays a logdisk log to every power-cut state worth checking, in the manner of CrashMonkey: the
 * prefix ending at each FLUSH entry, and random cuts between. The device claims a volatile cache,
 * so at a cut only what a FLUSH entry before the cut covers, and FUA entries, are durable; the
 * image of a cut is built from those alone. It then checks what the clients were promised
 * (Linux's REQ_PREFLUSH and REQ_FUA, the NBD spec's NBD_CMD_FLUSH and NBD_CMD_FLAG_FUA): every
 * write acknowledged before a FLUSH was submitted, once that FLUSH is acknowledged, and every
 * acknowledged FUA write is durable, with its own data or a later write's, sector by sector.
 * Acknowledgements are placed against the log by CLOCK_MONOTONIC times: a cut after entry
 * {@code c-1} happened after {@code nanos(c-1)}, so every acknowledgement before that time binds it.
 *
 * <p>Client writes carry their identity in every sector ({@link #stamp}), so data that a merge
 * scattered to the wrong place is caught as well as data that never arrived.
 */
final class ReplayChecker {
    static final int SECTOR = 512;

    /** A write as its client saw it: identity, range, FUA, and when it was acknowledged. */
    record ClientWrite(long id, long offset, long length, boolean fua, long ackNanos) {}

    /** A flush as its client saw it: when it was submitted and when acknowledged. */
    record ClientFlush(long submitNanos, long ackNanos) {}

    /** What a check found: cuts replayed, sector checks made, violations (count, and the first few). */
    record Result(int cuts, long sectorChecks, long violationCount, List<String> violations) {}

    private static final int KEEP = 20;

    /** Sector data for write {@code id}: the id and the sector's own offset, then filler. */
    static byte[] stamp(long id, long offset, long length) {
        ByteBuffer b = ByteBuffer.allocate((int) length);
        for (long s = 0; s < length; s += SECTOR) {
            b.putLong((int) s, id).putLong((int) s + 8, offset + s);
        }
        return b.array();
    }

    static Result check(WriteLog log, long deviceSize, List<ClientWrite> writes, List<ClientFlush> flushes, int randomCuts, long seed) {
        List<WriteLog.Entry> e = log.entries();
        List<String> violations = new ArrayList<>();
        long[] count = new long[1];
        java.util.function.Consumer<String> violation = v -> {
            if (count[0]++ < KEEP) {
                violations.add(v);
            }
        };
        int sectors = (int) (deviceSize / SECTOR);
        // where each client write was logged, from the identities in the logged data
        long maxId = writes.stream().mapToLong(ClientWrite::id).max().orElse(0);
        int[] loggedAt = new int[(int) maxId + 1];
        Arrays.fill(loggedAt, -1);
        for (int i = 0; i < e.size(); i++) {
            WriteLog.Entry x = e.get(i);
            if (x.data() == null) {
                continue;
            }
            ByteBuffer d = ByteBuffer.wrap(x.data());
            for (int s = 0; s < x.length(); s += SECTOR) {
                long id = d.getLong(s);
                long at = d.getLong(s + 8);
                if (at != x.offset() + s || id < 1 || id > maxId) {
                    violation.accept("entry " + i + ": sector at " + (x.offset() + s) + " holds data of write " + id + " for offset " + at);
                } else if (loggedAt[(int) id] < 0) {
                    loggedAt[(int) id] = i;
                }
            }
        }
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int i = 0; i < e.size(); i++) {
            if (e.get(i).kind() == LogFormat.FLUSH) {
                cuts.add(i + 1);
            }
        }
        Random random = new Random(seed);
        for (int i = 0; i < randomCuts && !e.isEmpty(); i++) {
            cuts.add(1 + random.nextInt(e.size()));
        }
        cuts.add(e.size());
        List<ClientFlush> byAck = flushes.stream().sorted((a, b) -> Long.compare(a.ackNanos(), b.ackNanos())).toList();
        int[] pos = new int[sectors]; // log index of the durable entry that last wrote each sector, -1 never
        long[] id = new long[sectors];
        Arrays.fill(pos, -1);
        List<Integer> volatileEntries = new ArrayList<>();
        int applied = 0;
        long checks = 0;
        for (int c : cuts) {
            for (; applied < c; applied++) { // entries before the cut: FUA ones are durable, a FLUSH makes the earlier ones durable
                WriteLog.Entry x = e.get(applied);
                if (x.kind() == LogFormat.FLUSH) {
                    volatileEntries.forEach(v -> apply(e.get(v), v, pos, id));
                    volatileEntries.clear();
                } else if (x.fua()) {
                    apply(x, applied, pos, id);
                } else {
                    volatileEntries.add(applied);
                }
            }
            long t = e.get(c - 1).nanos();
            long coveredBefore = Long.MIN_VALUE; // writes acked before this submission are covered by an acked flush
            for (ClientFlush f : byAck) {
                if (f.ackNanos() >= t) {
                    break;
                }
                coveredBefore = Math.max(coveredBefore, f.submitNanos());
            }
            for (ClientWrite w : writes) {
                boolean promised = w.ackNanos() < coveredBefore || w.fua() && w.ackNanos() < t;
                if (!promised) {
                    continue;
                }
                int at = loggedAt[(int) w.id()];
                for (long s = w.offset() / SECTOR; s < (w.offset() + w.length()) / SECTOR; s++) {
                    checks++;
                    int p = pos[(int) s];
                    if (at < 0 || p < at || p == at && id[(int) s] != w.id()) {
                        violation.accept("cut " + c + ": write " + w.id() + " (" + w.offset() + "+" + w.length() + (w.fua() ? ", FUA" : "")
                                + ") was promised durable but sector " + s + " holds " + (p < 0 ? "nothing" : "entry " + p + "'s data"));
                        break;
                    }
                }
            }
        }
        return new Result(cuts.size(), checks, count[0], violations);
    }

    private static void apply(WriteLog.Entry x, int index, int[] pos, long[] id) {
        ByteBuffer d = x.data() == null ? null : ByteBuffer.wrap(x.data());
        for (long s = 0; s < x.length(); s += SECTOR) {
            int sector = (int) ((x.offset() + s) / SECTOR);
            pos[sector] = index;
            id[sector] = d == null ? 0 : d.getLong((int) s);
        }
    }
}
