package dev.jdm.dde.nbdkit;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal NBD client (fixed newstyle, NBD_OPT_EXPORT_NAME, simple replies), written from the
 * NBD protocol document, that sends whatever it is told. libnbd and qemu refuse, on the client
 * side, requests the server did not advertise; this one lets the server answer them.
 */
final class RawNbdClient implements AutoCloseable {
    static final int CMD_READ = 0, CMD_WRITE = 1, CMD_FLUSH = 3, CMD_TRIM = 4, CMD_CACHE = 5, CMD_WRITE_ZEROES = 6;
    static final int FLAG_FUA = 1, FLAG_NO_HOLE = 2, FLAG_FAST_ZERO = 16;
    /** NBD_FLAG_SEND_FAST_ZERO in the transmission flags. */
    static final int SEND_FAST_ZERO = 1 << 11;

    private final SocketChannel ch;
    private final DataInputStream in;
    private final DataOutputStream out;
    final long size;
    final int transmissionFlags;
    private long handle;

    RawNbdClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        in = new DataInputStream(Channels.newInputStream(ch));
        out = new DataOutputStream(Channels.newOutputStream(ch));
        expect(in.readLong(), 0x4e42444d41474943L, "NBDMAGIC");
        expect(in.readLong(), 0x49484156454F5054L, "IHAVEOPT");
        int serverFlags = in.readUnsignedShort();
        boolean noZeroes = (serverFlags & 2) != 0;
        out.writeInt(1 | (noZeroes ? 2 : 0));
        byte[] name = "".getBytes(StandardCharsets.UTF_8);
        out.writeLong(0x49484156454F5054L);
        out.writeInt(1); // NBD_OPT_EXPORT_NAME
        out.writeInt(name.length);
        out.write(name);
        out.flush();
        size = in.readLong();
        transmissionFlags = in.readUnsignedShort();
        if (!noZeroes) {
            in.readFully(new byte[124]);
        }
    }

    /** Sends one request and returns the error field of its reply (0 for success). */
    int request(int type, int flags, long offset, int length) throws IOException {
        out.writeInt(0x25609513);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(++handle);
        out.writeLong(offset);
        out.writeInt(length);
        if (type == CMD_WRITE) {
            out.write(new byte[length]);
        }
        out.flush();
        expect(in.readInt(), 0x67446698, "simple reply magic");
        int error = in.readInt();
        expect(in.readLong(), handle, "handle");
        if (type == CMD_READ && error == 0) {
            in.readFully(new byte[length]);
        }
        return error;
    }

    private static void expect(long got, long want, String what) throws IOException {
        if (got != want) {
            throw new IOException("NBD: bad " + what + ": 0x" + Long.toHexString(got));
        }
    }

    @Override
    public void close() throws IOException {
        out.writeInt(0x25609513);
        out.writeShort(0);
        out.writeShort(2); // NBD_CMD_DISC
        out.writeLong(++handle);
        out.writeLong(0);
        out.writeInt(0);
        out.flush();
        ch.close();
    }
}
