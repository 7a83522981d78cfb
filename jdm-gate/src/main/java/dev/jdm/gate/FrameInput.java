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
        if (!buf.hasRemaining()) {
            buf.clear().limit(0); // everything consumed: the next frame starts at 0
        }
        if (!fill(4, true)) {
            return null;
        }
        int length = buf.getInt(buf.position());
        if (length < 0 || length > Frames.MAX_FRAME) {
            throw new Frames.GarbageException("frame length " + Integer.toUnsignedString(length) + " exceeds " + Frames.MAX_FRAME);
        }
        if (!fill(4 + length, false)) {
            throw new Frames.GarbageException("stream ended inside a frame of " + length + " bytes");
        }
        int start = buf.position() + 4;
        ByteBuffer body = buf.slice(start, length).asReadOnlyBuffer();
        buf.position(start + length);
        return body;
    }

    /** Makes {@code n} bytes from the position available; false at end of stream before any (or, if not atEdge, before all). */
    private boolean fill(int n, boolean atEdge) throws IOException {
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
            int want = atEdge ? buf.capacity() : start + n;
            ByteBuffer into = buf.duplicate().limit(want).position(end);
            int got = in.read(into);
            if (got < 0) {
                if (atEdge && end == start) {
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
