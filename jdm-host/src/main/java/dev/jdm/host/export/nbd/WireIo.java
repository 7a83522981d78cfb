package dev.jdm.host.export.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** Whole-buffer reads and writes on a blocking channel. */
final class WireIo {
    private WireIo() {}

    /** Fills {@code b} to its limit; each read makes progress or the stream ended (EOFException). */
    static void readFully(ByteChannel ch, ByteBuffer b, String what) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("peer closed the connection inside " + what);
            }
        }
    }

    /** Writes all of {@code b}. */
    static void writeFully(ByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
