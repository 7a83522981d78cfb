package dev.jdm.client;

import com.google.protobuf.ByteString;
import dev.jdm.gate.GateException;
import dev.jdm.gate.proto.DevWriteCall;
import dev.jdm.gate.proto.Request;
import java.io.IOException;
import java.io.OutputStream;

/** A device written over the gate; the device's refusal (ENOSPC from full) is an IOException naming its errno. */
public final class DevOutputStream extends OutputStream {
    /** The most one write carries (the host takes at most 512 KiB). */
    static final int MAX = 256 << 10;
    private final DevClient client;
    private final String node;
    private final long handle;
    private boolean closed;

    DevOutputStream(DevClient client, String node, long handle) {
        this.client = client;
        this.node = node;
        this.handle = handle;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException(node + ": stream closed");
        }
        while (len > 0) {
            int n = Math.min(len, MAX);
            int written;
            try {
                written = client.last(Request.newBuilder().setDevWrite(DevWriteCall.newBuilder().setHandle(handle)
                        .setData(ByteString.copyFrom(b, off, n)))).getDevWrite().getWritten();
            } catch (GateException e) {
                throw new IOException(e.getMessage() + " [" + e.errnoName() + "]", e);
            }
            off += written;
            len -= written;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            client.close(handle);
        }
    }
}
