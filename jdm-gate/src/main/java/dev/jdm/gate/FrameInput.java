package dev.jdm.gate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Receives gate frames ({@link Frames}) from a channel into one direct buffer, so a large reply
 * (a device read, a block read) goes from the socket into memory the parser can alias without a
 * copy on the Java side. A frame's body is valid until the next {@link #next}.
 *
 * <p>Reads are greedy only up to the end of a frame being received, so a reply that follows a large
 * one starts the buffer again at offset 0 instead of being moved to the front.
 */
final class FrameInput {
    private static final int FIRST = 64 << 10;
    private final ReadableByteChannel in;
    private ByteBuffer buf = ByteBuffer.allocateDirect(FIRST).order(ByteOrder.BIG_ENDIAN).limit(0);

    FrameInput(ReadableByteChannel in) {
        this.in = in;
    }

    /**
     * The next frame's body, read-only, valid until the next call.
     *
     * @return the body, or null at a clean end of stream
     * @throws Frames.GarbageException if the length is impossible or the stream ends inside a frame
     */
    ByteBuffer next() throws IOException {
        int length = peekLength(true);
        if (length < 0) {
            return null;
        }
        if (!fill(4 + length, false, false)) {
            throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes");
        }
        int start = buf.position() + 4;
        ByteBuffer body = buf.slice(start, length).asReadOnlyBuffer();
        buf.position(start + length);
        return body;
    }

    /** The next frame's length, reading no byte past it (the frame stays next); -1 at a clean end of stream. */
    int peekLength() throws IOException {
        return peekLength(false);
    }

    private int peekLength(boolean greedy) throws IOException {
        if (!buf.hasRemaining()) {
            buf.clear().limit(0); // everything consumed: the next frame starts at 0
        }
        if (!fill(4, greedy, true)) {
            return -1;
        }
        int length = buf.getInt(buf.position());
        if (length < 0 || length > Frames.MAX_FRAME) {
            throw new Frames.GarbageException("frame length " + Integer.toUnsignedString(length) + " exceeds " + Frames.MAX_FRAME);
        }
        return length;
    }

    /**
     * At least the first {@code min(length, want)} bytes of the next frame's body (more if they were
     * received already, never past the frame), read-only; the frame stays next.
     */
    ByteBuffer peek(int length, int want) throws IOException {
        if (!fill(4 + Math.min(length, want), false, false)) {
            throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes");
        }
        return buf.slice(buf.position() + 4, Math.min(length, buf.remaining() - 4)).asReadOnlyBuffer();
    }

    /**
     * Consumes the next frame's length and the {@code received} bytes of its body that {@link #peek}
     * showed; the caller takes the rest of the body from the channel itself.
     */
    void skip(int received) {
        buf.position(buf.position() + 4 + received);
    }

    /** The next {@code n} bytes of a frame whose start was {@link #skip}ped: the rest of its body, consumed. */
    ByteBuffer take(int n) throws IOException {
        if (!fill(n, false, false)) {
            throw new Frames.GarbageException("stream ended inside a frame");
        }
        ByteBuffer b = buf.slice(buf.position(), n).asReadOnlyBuffer();
        buf.position(buf.position() + n);
        return b;
    }

    /**
     * Makes {@code n} bytes from the position available, reading past them only if {@code greedy};
     * false at end of stream before any byte if {@code endOk}.
     */
    private boolean fill(int n, boolean greedy, boolean endOk) throws IOException {
        if (buf.remaining() >= n) {
            return true;
        }
        if (buf.capacity() - buf.position() < n) {
            make(n);
        }
        int start = buf.position();
        int end = buf.limit();
        while (end - start < n) {
            // past the frame's end only while its length is unknown: never read a large frame's successor
            int want = greedy ? buf.capacity() : start + n;
            ByteBuffer into = buf.duplicate().limit(want).position(end);
            int got = in.read(into);
            if (got < 0) {
                if (endOk && end == start) {
                    return false;
                }
                throw new Frames.GarbageException("stream ended inside a frame (" + (end - start) + " of " + n + " bytes arrived)");
            }
            end += got;
        }
        buf.limit(end);
        return true;
    }

    /** Room for {@code n} bytes from the position: the unread bytes move to the front of a buffer large enough. */
    private void make(int n) {
        ByteBuffer unread = buf.slice();
        ByteBuffer next = n <= buf.capacity() ? buf : ByteBuffer.allocateDirect((int) Math.max(n, Math.min(2L * buf.capacity(), Frames.MAX_FRAME + 4L))).order(ByteOrder.BIG_ENDIAN);
        if (next == buf) {
            buf.compact().flip(); // compact copies within the same buffer
        } else {
            next.put(unread).flip();
            buf = next;
        }
    }
}
