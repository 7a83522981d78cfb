package dev.jdm.client;

import dev.jdm.gate.GateException;
import dev.jdm.gate.proto.DevReadCall;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.Request;
import java.io.IOException;
import java.io.InputStream;

/**
 * A device read over the gate. A read blocks as the device does (the host sends heartbeats while it
 * waits); -1 is the device's end of file. Each read asks for at most what the caller's buffer holds,
 * so nothing is read ahead of the caller (kbd0's events stay in the device until asked for).
 */
public final class DevInputStream extends InputStream {
    /** The most one read asks the host for. */
    static final int MAX = 4 << 20;
    private final DevHandle file;

    DevInputStream(DevHandle file) {
        this.file = file;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        file.checkOpen();
        DevReadReply r;
        try {
            r = file.client.last(Request.newBuilder().setDevRead(DevReadCall.newBuilder().setHandle(file.id).setLength(Math.min(len, MAX))))
                    .getDevRead();
        } catch (GateException e) {
            throw new IOException(e.getMessage() + " [" + e.errnoName() + "]", e);
        }
        if (r.getEof()) {
            return -1;
        }
        r.getData().copyTo(b, off);
        return r.getData().size();
    }

    @Override
    public void close() {
        file.close();
    }
}
