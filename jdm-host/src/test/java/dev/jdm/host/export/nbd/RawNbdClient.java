package dev.jdm.host.export.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately plain NBD client for tests. Its constants are spelled out from the protocol
 * document independently of the server's descriptors, so a wrong descriptor value fails a test.
 */
final class RawNbdClient implements AutoCloseable {
    static final long NBDMAGIC = 0x4e42444d41474943L;
    static final long IHAVEOPT = 0x49484156454F5054L;
    static final long REP_MAGIC = 0x3e889045565a9L;
    static final int OPT_EXPORT_NAME = 1, OPT_ABORT = 2, OPT_LIST = 3, OPT_STARTTLS = 5, OPT_INFO = 6, OPT_GO = 7, OPT_STRUCTURED = 8,
            OPT_LIST_META = 9, OPT_SET_META = 10, OPT_EXTENDED = 11;
    static final int REP_ACK = 1, REP_SERVER = 2, REP_INFO = 3, REP_META = 4;
    static final int ERR_UNSUP = 0x80000001, ERR_POLICY = 0x80000002, ERR_INVALID = 0x80000003, ERR_TLS_REQD = 0x80000005,
            ERR_UNKNOWN = 0x80000006;
    static final int CMD_READ = 0, CMD_WRITE = 1, CMD_DISC = 2, CMD_FLUSH = 3, CMD_TRIM = 4, CMD_CACHE = 5, CMD_ZEROES = 6, CMD_STATUS = 7;
    static final int F_FUA = 1, F_NO_HOLE = 2, F_DF = 4, F_REQ_ONE = 8, F_FAST_ZERO = 16;
    static final int EPERM = 1, EINVAL = 22, ENOSPC = 28;
    static final int T_READ_ONLY = 2, T_MULTI_CONN = 1 << 8;

    final SocketChannel socket;
    ByteChannel ch;
    boolean structured;
    boolean extended;

    record OptReply(int option, int type, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** A transmission reply: simple or one chunk. */
    record Reply(long cookie, int error, int chunkType, boolean done, long offset, byte[] payload) {}

    private RawNbdClient(SocketChannel ch) {
        this.socket = ch;
        this.ch = ch;
    }

    static RawNbdClient connect(InetSocketAddress tcp) throws IOException {
        return new RawNbdClient(SocketChannel.open(tcp));
    }

    /**
     * NBD_OPT_STARTTLS, and on its ACK a TLS handshake through the JDK's SSLSocket over the same
     * socket (an independent TLS stack from the server's SSLEngine loop).
     *
     * @return the reply to STARTTLS; TLS runs only if it was an ACK
     */
    OptReply startTls(SSLContext ctx) throws IOException {
        option(OPT_STARTTLS, new byte[0]);
        OptReply r = optReply();
        if (r.type() != REP_ACK) {
            return r;
        }
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(socket.socket(), "localhost",
                socket.socket().getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        InputStream in = tls.getInputStream();
        OutputStream out = tls.getOutputStream();
        ReadableByteChannel rc = Channels.newChannel(in);
        WritableByteChannel wc = Channels.newChannel(out);
        ch = new ByteChannel() {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                return rc.read(dst);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return wc.write(src);
            }

            @Override
            public boolean isOpen() {
                return !tls.isClosed();
            }

            @Override
            public void close() throws IOException {
                tls.close();
            }
        };
        return r;
    }

    static RawNbdClient connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new RawNbdClient(ch);
    }

    /** Reads the greeting and sends client flags (fixed newstyle + no zeroes). */
    RawNbdClient greet() throws IOException {
        ByteBuffer g = read(18);
        if (g.getLong(0) != NBDMAGIC || g.getLong(8) != IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        write(ByteBuffer.allocate(4).putInt(0, 3));
        return this;
    }

    void option(int option, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length).putLong(IHAVEOPT).putInt(option).putInt(data.length).put(data);
        write(b.flip());
    }

    OptReply optReply() throws IOException {
        ByteBuffer h = read(20);
        if (h.getLong(0) != REP_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        return new OptReply(h.getInt(8), h.getInt(12), read(h.getInt(16)).array());
    }

    /** Replies up to and including the final one (ACK or an error). */
    List<OptReply> optReplies() throws IOException {
        List<OptReply> out = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            OptReply r = optReply();
            out.add(r);
            if (r.type() == REP_ACK || r.type() < 0) {
                return out;
            }
        }
        throw new IOException("no final reply");
    }

    static byte[] goData(String name, int... infos) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length + 2 + 2 * infos.length).putInt(n.length).put(n).putShort((short) infos.length);
        for (int i : infos) {
            b.putShort((short) i);
        }
        return b.array();
    }

    static byte[] metaData(String name, String... queries) {
        int len = 4 + name.length() + 4;
        for (String q : queries) {
            len += 4 + q.length();
        }
        ByteBuffer b = ByteBuffer.allocate(len).putInt(name.length()).put(name.getBytes(StandardCharsets.UTF_8)).putInt(queries.length);
        for (String q : queries) {
            b.putInt(q.length()).put(q.getBytes(StandardCharsets.UTF_8));
        }
        return b.array();
    }

    /** GO on an export; returns {size, flags}. */
    long[] go(String name) throws IOException {
        option(OPT_GO, goData(name));
        long size = -1;
        int flags = -1;
        for (OptReply r : optReplies()) {
            if (r.type() < 0) {
                throw new IOException("GO refused: 0x" + Integer.toHexString(r.type()) + " " + r.text());
            }
            ByteBuffer d = ByteBuffer.wrap(r.data());
            if (r.type() == REP_INFO && d.getShort(0) == 0) {
                size = d.getLong(2);
                flags = Short.toUnsignedInt(d.getShort(10));
            }
        }
        return new long[] {size, flags};
    }

    /** Negotiates structured replies (or extended headers) and base:allocation, then GO. */
    long[] open(String name, boolean ext) throws IOException {
        greet();
        option(ext ? OPT_EXTENDED : OPT_STRUCTURED, new byte[0]);
        if (optReply().type() != REP_ACK) {
            throw new IOException("refused");
        }
        structured = true;
        extended = ext;
        option(OPT_SET_META, metaData(name, "base:allocation"));
        optReplies();
        return go(name);
    }

    void request(int type, int flags, long cookie, long offset, long length, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((extended ? 32 : 28) + (payload == null ? 0 : payload.length));
        b.putInt(extended ? 0x21e41c71 : 0x25609513).putShort((short) flags).putShort((short) type).putLong(cookie).putLong(offset);
        if (extended) {
            b.putLong(length);
        } else {
            b.putInt((int) length);
        }
        if (payload != null) {
            b.put(payload);
        }
        write(b.flip());
    }

    /** Reads one reply; for a simple read reply, {@code readLength} bytes of data follow. */
    Reply reply(int readLength) throws IOException {
        ByteBuffer m = read(4);
        int magic = m.getInt(0);
        if (magic == 0x67446698) {
            ByteBuffer r = read(12);
            int error = r.getInt(0);
            byte[] data = error == 0 && readLength > 0 ? read(readLength).array() : new byte[0];
            return new Reply(r.getLong(4), error, -1, true, -1, data);
        }
        if (magic == 0x668e33ef) {
            ByteBuffer r = read(16);
            byte[] p = read(r.getInt(12)).array();
            return chunk(r.getShort(0), r.getShort(2), r.getLong(4), -1, p);
        }
        if (magic == 0x6e8a278c) {
            ByteBuffer r = read(28);
            byte[] p = read((int) r.getLong(20)).array();
            return chunk(r.getShort(0), r.getShort(2), r.getLong(4), r.getLong(12), p);
        }
        throw new IOException("bad reply magic 0x" + Integer.toHexString(magic));
    }

    private static Reply chunk(short flags, short type, long cookie, long offset, byte[] p) {
        int t = Short.toUnsignedInt(type);
        int error = (t & 0x8000) != 0 ? ByteBuffer.wrap(p).getInt(0) : 0;
        return new Reply(cookie, error, t, (flags & 1) != 0, offset, p);
    }

    byte[] read(long offset, int length) throws IOException {
        request(CMD_READ, 0, 7, offset, length, null);
        Reply r = reply(length);
        if (r.error() != 0) {
            throw new IOException("read failed: " + r.error());
        }
        if (r.chunkType() == 1) {
            byte[] d = new byte[r.payload().length - 8];
            System.arraycopy(r.payload(), 8, d, 0, d.length);
            return d;
        }
        return r.payload();
    }

    int write(long offset, byte[] data) throws IOException {
        request(CMD_WRITE, 0, 8, offset, data.length, data);
        return reply(0).error();
    }

    /** Block status extents as {length, flags} pairs. */
    List<long[]> status(long offset, long length, int flags) throws IOException {
        request(CMD_STATUS, flags, 9, offset, length, null);
        Reply r = reply(0);
        if (r.error() != 0) {
            throw new IOException("status failed: " + r.error());
        }
        ByteBuffer p = ByteBuffer.wrap(r.payload());
        List<long[]> out = new ArrayList<>();
        if (r.chunkType() == 6) {
            p.getInt();
            int n = p.getInt();
            for (int i = 0; i < n; i++) {
                out.add(new long[] {p.getLong(), p.getLong()});
            }
        } else {
            p.getInt();
            while (p.hasRemaining()) {
                out.add(new long[] {Integer.toUnsignedLong(p.getInt()), p.getInt()});
            }
        }
        return out;
    }

    ByteBuffer read(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("server closed after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Whether the server closed the connection (reads end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return ch.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
        socket.close();
    }
}
