package dev.jdm.host.gate;

import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Writes one connection's replies as gate frames. A reply with a large payload (a device read) goes
 * out as one gathering write of the frame's length, the encoded response, the encoding of the
 * fields that lead to its bytes field, and the payload from wherever the driver put it: the
 * payload is not copied into an encoded message first. Protobuf merges a message's concatenated
 * encodings, so every parser reads the frame as one response with the bytes field set.
 */
final class ReplyChannel {
    /**
     * Send buffer asked of the kernel (which caps it at net.core.wmem_max): room for a few large
     * replies, so the host can fill the next while the client takes the last.
     */
    static final int SEND_BUFFER = 4 << 20;
    private final SocketChannel ch;

    ReplyChannel(SocketChannel ch) {
        this.ch = ch;
        try {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
        } catch (IOException | UnsupportedOperationException e) {
            // the default buffer works, only slower
        }
    }

    /** Sends one response. */
    synchronized void send(Response r) throws IOException {
        int size = r.getSerializedSize();
        byte[] frame = new byte[4 + size];
        ByteBuffer.wrap(frame).putInt(size);
        com.google.protobuf.CodedOutputStream c = com.google.protobuf.CodedOutputStream.newInstance(frame, 4, size);
        r.writeTo(c);
        c.checkNoSpaceLeft();
        ByteBuffer b = ByteBuffer.wrap(frame);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Sends {@code head}, then {@code fields} and {@code payload}, as one frame (see the class comment). */
    synchronized void send(Response head, ByteBuffer fields, ByteBuffer payload) throws IOException {
        byte[] encoded = head.toByteArray();
        long length = (long) encoded.length + fields.remaining() + payload.remaining();
        if (length > dev.jdm.gate.Frames.MAX_FRAME) {
            throw new IllegalArgumentException("a reply of " + length + " bytes exceeds a frame");
        }
        ByteBuffer first = ByteBuffer.allocate(4 + encoded.length).putInt((int) length).put(encoded).flip();
        ByteBuffer[] frame = {first, fields, payload};
        long left = first.remaining() + fields.remaining() + payload.remaining();
        while (left > 0) {
            left -= ch.write(frame);
        }
    }
}
