package dev.jdm.gate;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * The call gate's framing: a 4-byte big-endian length, then that many bytes of one protobuf
 * message. A length beyond {@link #MAX_FRAME} means the peer is not speaking the gate protocol.
 */
public final class Frames {
    /** Largest frame: room for a module JAR in an insmod call. */
    public static final int MAX_FRAME = 64 << 20;
    /** Most bytes one {@code blk_io} call moves: a quarter of a frame, leaving room for the envelope. */
    public static final int MAX_BLK_IO = MAX_FRAME / 4;

    private Frames() {}

    /** A stream that is not gate frames; the connection cannot continue. */
    public static final class GarbageException extends IOException {
        private static final long serialVersionUID = 1L;

        public GarbageException(String message) {
            super(message);
        }
    }

    /**
     * Reads one frame.
     *
     * @return the payload, or null at a clean end of stream
     * @throws GarbageException if the length is impossible
     */
    public static byte[] read(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (length < 0 || length > MAX_FRAME) {
            throw new GarbageException("frame length " + Integer.toUnsignedString(length) + " exceeds " + MAX_FRAME);
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new GarbageException("stream ended inside a frame of " + length + " bytes");
        }
        return payload;
    }

    /** Writes one frame. */
    public static void write(DataOutputStream out, byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }
}
