package dev.jdm.host.gate;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Connections a server holds at once, in total and per uid, so that one local user cannot take
 * every slot (as RLIMIT_NPROC bounds a user's processes below the system's limit). A connection
 * is admitted or refused with a reason; an admitted one is released exactly once when it ends.
 */
public final class ConnectionLimits {
    private final String server;
    private final IntSupplier total;
    private final IntSupplier perUid;
    private final Map<Integer, Integer> byUid = new HashMap<>();
    private int open;

    /**
     * Limits for {@code server} (named in refusals): at most {@code total}, and {@code perUid} per
     * uid, both read at each admission so that a changed sysctl applies to the next connection.
     */
    public ConnectionLimits(String server, IntSupplier total, IntSupplier perUid) {
        this.server = server;
        this.total = total;
        this.perUid = perUid;
    }

    /** Admits a connection from {@code uid}, or returns why not (nothing is held then). */
    public synchronized Optional<String> admit(int uid) {
        int mine = byUid.getOrDefault(uid, 0);
        if (open >= total.getAsInt()) {
            return Optional.of(server + " holds " + open + " connections, its limit; retry when one closes");
        }
        if (mine >= perUid.getAsInt()) {
            return Optional.of(server + ": uid " + uid + " holds " + mine + " connections, the limit per uid; close one first");
        }
        open++;
        byUid.put(uid, mine + 1);
        return Optional.empty();
    }

    /** Releases an admitted connection of {@code uid}. */
    public synchronized void release(int uid) {
        int mine = byUid.getOrDefault(uid, 0);
        if (mine <= 0) {
            throw new IllegalStateException(server + ": release of uid " + uid + " that holds no connection");
        }
        open--;
        if (mine == 1) {
            byUid.remove(uid);
        } else {
            byUid.put(uid, mine - 1);
        }
    }

    /** Connections held now. */
    public synchronized int open() {
        return open;
    }
}
