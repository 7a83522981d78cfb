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
    private final DevHandle file;

    DevOutputStream(DevHandle file) {
        this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        file.checkOpen();
        while (len > 0) {
            int n = Math.min(len, MAX);
            int written;
            try {
                written = file.client.last(Request.newBuilder().setDevWrite(DevWriteCall.newBuilder().setHandle(file.id)
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
        file.close();
    }
}
