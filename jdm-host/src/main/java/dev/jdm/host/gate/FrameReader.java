package dev.jdm.host.gate;

import dev.jdm.errno.Errno;
import dev.jdm.gate.Frames;
import dev.jdm.host.HostException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one connection's frames without trusting their lengths. The body is received into a
 * buffer that grows only as bytes arrive (doubling from {@link #FIRST_CHUNK}), each growth charged
 * to the server's {@link MemoryBudget}, so a peer that announces 64 MiB and sends one byte holds
 * 64 KiB. A frame over its call's limit ({@link CallSizes}) or beyond the budget is read to its
 * end and dropped, which keeps the stream in step; the caller answers it with the refusal.
 */
final class FrameReader {
    /** The first buffer of a body; the body doubles from here as it arrives. */
    static final int FIRST_CHUNK = 64 << 10;
    /** Bytes read before the limit is decided: enough for version, id and the call's tag. */
    private static final int PREFIX = 32;
    private final InputStream in;
    private final MemoryBudget budget;

    FrameReader(InputStream in, MemoryBudget budget) {
        this.in = in;
        this.budget = budget;
    }

    /** One frame's body, holding its share of the budget until closed. */
    static final class Frame implements AutoCloseable {
        private final byte[] body;
        private final MemoryBudget budget;
        private long held;

        private Frame(byte[] body, MemoryBudget budget, long held) {
            this.body = body;
            this.budget = budget;
            this.held = held;
        }

        /** The body; valid until {@link #close}. */
        byte[] body() {
            return body;
        }

        @Override
        public void close() {
            budget.release(held);
            held = 0;
        }
    }

    /** A frame that was read to its end and dropped: answer it with this error, the stream is in step. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final Errno code;

        Refused(Errno code, String message) {
            super(message);
            this.code = code;
        }

        Errno code() {
            return code;
        }
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or null at a clean end of stream
     * @throws Frames.GarbageException if the length is impossible or the stream ends inside a frame
     * @throws Refused if the frame was too large for its call or for the budget (the stream is in step)
     */
    Frame read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (byteOf() << 16) | (byteOf() << 8) | byteOf();
        if (length < 0 || length > Frames.MAX_FRAME) {
            throw new Frames.GarbageException("frame length " + Integer.toUnsignedString(length) + " exceeds " + Frames.MAX_FRAME);
        }
        byte[] prefix = new byte[Math.min(PREFIX, length)];
        readFully(prefix, 0, prefix.length, length);
        int field = CallSizes.callField(prefix, prefix.length);
        int limit = CallSizes.limit(field);
        if (length > limit) {
            skip(length - prefix.length, length);
            throw new Refused(Errno.EINVAL, "a frame of " + length + " bytes exceeds the " + limit
                    + " bytes allowed for call field " + field + "; only insmod, sec replace, sec reload and sweep I/O carry bulk data");
        }
        return body(prefix, length);
    }

    private Frame body(byte[] prefix, int length) throws IOException {
        byte[] buf = prefix;
        long held = 0;
        int have = prefix.length;
        while (have < length) {
            if (have == buf.length) {
                int next = (int) Math.min(length, Math.max(FIRST_CHUNK, 2L * buf.length));
                byte[] grown = budget.tryReserve(next) ? allocate(next) : null;
                if (grown == null) {
                    budget.release(held);
                    skip(length - have, length);
                    throw new Refused(Errno.ENOMEM, "a frame of " + length + " bytes does not fit: the gate holds "
                            + budget.held() + " of its " + budget.limit() + " bytes for frames being received; retry later");
                }
                System.arraycopy(buf, 0, grown, 0, have);
                budget.release(held);
                held = next;
                buf = grown;
            }
            int got = in.read(buf, have, buf.length - have);
            if (got < 0) {
                budget.release(held);
                throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes (" + have + " arrived)");
            }
            have += got;
        }
        return new Frame(buf, budget, held); // buf grew to exactly length
    }

    /** A new buffer, or null (its reservation given back) when the heap has no room. */
    private byte[] allocate(int n) {
        try {
            return new byte[n];
        } catch (OutOfMemoryError e) {
            budget.release(n);
            return null;
        }
    }

    private int byteOf() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new Frames.GarbageException("stream ended inside a frame length");
        }
        return b;
    }

    private void readFully(byte[] b, int off, int n, int length) throws IOException {
        int have = 0;
        while (have < n) {
            int got = in.read(b, off + have, n - have);
            if (got < 0) {
                throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes");
            }
            have += got;
        }
    }

    private void skip(long n, int length) throws IOException {
        byte[] sink = new byte[(int) Math.min(n, 8192)];
        long left = n;
        while (left > 0) {
            int got = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (got < 0) {
                throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes");
            }
            left -= got;
        }
    }
}
