package dev.jdm.gate;

import dev.jdm.gate.proto.DevReadCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Reads one open device file over the gate with several {@code dev_read}s in flight, so the host
 * fills the next chunk while this side writes the last one out, and each chunk arrives in the
 * receive buffer without a copy on the Java side.
 *
 * <p>Reading ahead starts only once the device has filled a whole bulk chunk: a device that
 * answers short reads (kmsg's one record, kbd0's queued events) is read one call at a time, so
 * nothing leaves it before it is asked for. Never more than {@code limit} bytes are asked for in
 * all. When a read ends the file (end of file, or an error such as EAGAIN on a non-blocking open),
 * no further reads are sent; the data of those still in flight is delivered first, in order, and
 * then the end. Heartbeats (more=true, no data) are skipped.
 *
 * <p>Between calls of {@link #next}, the connection is this reader's while reads are in flight:
 * call {@link #settle} before another call on the same {@link GateClient}.
 */
public final class DevReads {
    /** One read's size: large enough to amortise a round trip, small enough to stay in the caches. */
    public static final int CHUNK = 1 << 20;
    /** Reads kept in flight once the device fills whole chunks. */
    public static final int DEPTH = 4;
    /** A read smaller than this is a record-sized read, never read ahead of. */
    public static final int BULK_MIN = 64 << 10;

    private final GateClient gate;
    private final long handle;
    private final int chunk;
    private final ArrayDeque<Integer> inFlight = new ArrayDeque<>(); // the lengths asked for, in order
    private final ArrayDeque<ByteBuffer> settled = new ArrayDeque<>(); // data received by settle(), own copies
    private long unasked;
    private boolean ahead;
    private boolean ended;
    private GateException end; // the error that ended the file, thrown once its earlier data is delivered
    private ByteBuffer current = ByteBuffer.allocate(0);

    /** Reads {@code handle} in reads of {@code chunk} bytes (1..4 MiB), at most {@code limit} bytes in all. */
    public DevReads(GateClient gate, long handle, int chunk, long limit) {
        if (chunk < 1 || limit < 0) {
            throw new IllegalArgumentException("a read chunk of " + chunk + " bytes and a limit of " + limit + " bytes");
        }
        this.gate = gate;
        this.handle = handle;
        this.chunk = chunk;
        this.unasked = limit;
    }

    /**
     * The next bytes read, or null at end of file (or once the limit is read). The buffer is
     * read-only; the caller may consume any part of it, and what remains is returned again by the
     * next call. It is valid until the next call on this reader or the gate.
     *
     * @throws GateException the error that ended the file (after the data read before it)
     */
    public ByteBuffer next() {
        if (current.hasRemaining()) {
            return current;
        }
        if (!settled.isEmpty()) {
            current = settled.poll();
            return current;
        }
        try {
            while (true) {
                top();
                if (inFlight.isEmpty()) {
                    return finish();
                }
                ByteBuffer data = receive(true);
                if (data != null && data.hasRemaining()) {
                    current = data;
                    return current;
                }
            }
        } catch (IOException e) {
            throw GateException.unreachable("call gate: " + e.getMessage());
        }
    }

    /**
     * Receives every read in flight, keeping their data for {@link #next}, so the connection is free
     * for another call; sends no new one until {@code next} is called again.
     */
    public void settle() {
        try {
            if (current.hasRemaining()) {
                current = copy(current);
            }
            while (!inFlight.isEmpty()) {
                ByteBuffer data = receive(false);
                if (data != null && data.hasRemaining()) {
                    settled.add(data);
                }
            }
        } catch (IOException e) {
            throw GateException.unreachable("call gate: " + e.getMessage());
        }
    }

    /** Whether data received is waiting to be taken by {@link #next}. */
    public boolean buffered() {
        return current.hasRemaining() || !settled.isEmpty();
    }

    /** Delivers the end; a later call reads again (a non-blocking file may have data by then). */
    private ByteBuffer finish() {
        ended = false;
        if (end != null) {
            GateException e = end;
            end = null;
            throw e;
        }
        return null;
    }

    /** Sends reads until as many are in flight as the device's pace allows. */
    private void top() throws IOException {
        int depth = ahead ? DEPTH : 1;
        while (!ended && unasked > 0 && inFlight.size() < depth) {
            int n = (int) Math.min(chunk, unasked);
            gate.send(Request.newBuilder().setDevRead(DevReadCall.newBuilder().setHandle(handle).setLength(n)));
            inFlight.add(n);
            unasked -= n;
        }
    }

    /** Receives the oldest read's answer: its data (aliased or copied), or null when it ended the file. */
    private ByteBuffer receive(boolean alias) throws IOException {
        Response r;
        do {
            r = gate.receive(alias);
        } while (r.getMore() && !r.hasError()); // a heartbeat while the device waits
        return answer(r, alias);
    }

    private ByteBuffer answer(Response r, boolean alias) {
        int asked = inFlight.poll();
        if (r.hasError()) {
            stop();
            if (end == null) {
                end = GateException.refused(r.getError());
            }
            return null;
        }
        var reply = r.getDevRead();
        if (reply.getEof() || reply.getData().isEmpty()) {
            stop();
            return null;
        }
        got(asked, reply.getData().size());
        ByteBuffer data = reply.getData().asReadOnlyByteBuffer();
        return alias ? data : copy(data);
    }

    /** A read of {@code asked} bytes gave {@code got}: the pace, and the rest of the limit to ask for again. */
    private void got(int asked, int got) {
        ahead = got == asked && asked >= BULK_MIN;
        unasked += asked - got;
    }

    /** Where {@link #transferTo} puts the bytes. */
    public interface Sink {
        /** Writes all of {@code data}. */
        void write(ByteBuffer data) throws IOException;

        /**
         * Moves exactly {@code n} bytes waiting on the socket {@code fd} to the output without
         * reading them into this process (splice(2)), or returns false before moving any, to have
         * them (and all later bytes) read and written instead.
         */
        boolean splice(int fd, int n) throws IOException;
    }

    /**
     * Reads to the end (end of file, or the limit) into {@code out}: as {@link #next}, but a
     * reply's bytes still on the socket are handed to {@link Sink#splice} when the sink can move
     * them, so they go from the socket to a pipe without a copy through this process. Only a reply
     * laid out as the host lays out bulk reads (its other fields, then {@code dev_read.data} to the
     * frame's end) is taken apart this way; every other one is parsed whole.
     *
     * @throws GateException the error that ended the file (after the data read before it)
     * @throws IOException if the sink failed
     */
    public void transferTo(Sink out) throws IOException {
        int fd = gate.descriptor();
        FrameInput in = gate.input();
        if (current.hasRemaining()) {
            out.write(current);
        }
        for (ByteBuffer b; (b = settled.poll()) != null;) {
            out.write(b);
        }
        current = ByteBuffer.allocate(0);
        while (true) {
            top();
            if (inFlight.isEmpty()) {
                finish();
                return;
            }
            int length = in.peekLength();
            if (length < 0) {
                throw GateException.unreachable("the host closed the connection");
            }
            ByteBuffer start = in.peek(length, BulkReply.PREFIX);
            BulkReply bulk = fd < 0 ? null : BulkReply.find(start, length);
            Response head = bulk == null ? null : gate.parse(start.slice(0, bulk.fieldStart()), false); // id and version
            if (bulk == null || head.getMore() || head.hasError()) {
                Response r = gate.parse(in.next(), true);
                if (r.getMore() && !r.hasError()) {
                    continue; // a heartbeat
                }
                ByteBuffer data = answer(r, true);
                if (data != null) {
                    out.write(data);
                }
                continue;
            }
            got(inFlight.poll(), bulk.size());
            int received = start.remaining();
            out.write(start.slice(bulk.dataStart(), received - bulk.dataStart()));
            in.skip(received);
            int left = bulk.size() - (received - bulk.dataStart());
            if (left > 0 && !out.splice(fd, left)) {
                fd = -1; // the output cannot splice after all: read this and every later reply
                out.write(in.take(left));
            }
        }
    }

    private void stop() {
        ended = true;
        ahead = false;
    }

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c.asReadOnlyBuffer();
    }
}
