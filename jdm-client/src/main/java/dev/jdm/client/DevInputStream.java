package dev.jdm.client;

import dev.jdm.gate.DevReads;
import dev.jdm.gate.GateException;
import dev.jdm.gate.proto.DevReadCall;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A device read over the gate. A read blocks as the device does (the host sends heartbeats while it
 * waits); -1 is the device's end of file. A read into a small buffer asks for at most what the
 * buffer holds, so nothing is read ahead of the caller (kbd0's events stay in the device until
 * asked for). Reads of {@link DevReads#BULK_MIN} bytes or more go through {@link DevReads}, which
 * keeps several reads in flight while the device fills whole chunks (zero, urandom): what it
 * received and the caller has not taken yet is served first by later reads.
 */
public final class DevInputStream extends InputStream {
    /** The most one read asks the host for. */
    static final int MAX = 4 << 20;
    private final DevHandle file;
    private DevReads bulk;

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
        if (len >= DevReads.BULK_MIN || (bulk != null && bulk.buffered())) {
            return bulk(b, off, len);
        }
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

    private int bulk(byte[] b, int off, int len) throws IOException {
        if (bulk == null) {
            bulk = file.client.reads(file.id);
        }
        ByteBuffer data;
        try {
            data = file.client.next(bulk);
        } catch (GateException e) {
            throw new IOException(e.getMessage() + " [" + e.errnoName() + "]", e);
        }
        if (data == null) {
            return -1;
        }
        int n = Math.min(len, data.remaining());
        data.get(b, off, n);
        return n;
    }

    @Override
    public void close() {
        file.close();
    }
}
