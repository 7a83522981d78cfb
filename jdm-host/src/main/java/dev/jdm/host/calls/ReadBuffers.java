package dev.jdm.host.calls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Native buffers for bulk device reads, one per connection and reused by its reads: a driver fills
 * it and the gate writes it to the socket as it is, so a read costs no heap array to clear and no
 * copy. One per connection, never shared: a driver that claims more bytes than it wrote sends
 * stale bytes, and these can only be bytes this connection was sent already (or zeros). A
 * connection's calls are served one at a time, so its buffer has one user. Buffers are left to the
 * collector ({@link Arena#ofAuto}) when the connection ends, since one may still be in a driver's
 * hands when the host stops.
 */
final class ReadBuffers {
    /** One buffer's size; larger reads take the heap path. */
    static final int SIZE = 1 << 20;
    private final Map<Long, MemorySegment> byTask = new ConcurrentHashMap<>();

    /** The buffer of the task {@code task}'s connection. */
    MemorySegment of(long task) {
        return byTask.computeIfAbsent(task, t -> Arena.ofAuto().allocate(SIZE, 4096));
    }

    /** Forgets the buffer of a connection that ended. */
    void forget(long task) {
        byTask.remove(task);
    }

    /** Buffers held now, one per connection that read in bulk and has not ended. */
    int held() {
        return byTask.size();
    }
}
