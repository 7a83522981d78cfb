package dev.jdm.gate.client;

import dev.jdm.gate.Frames;
import dev.jdm.gate.GateException;
import dev.jdm.gate.GateVersion;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code lsmod} call, the one users run most and wait for, spoken on the gate's wire without
 * protobuf's generated classes: a generated message's static initialisation checks protobuf's
 * runtime version ({@code RuntimeVersion}), which formats a string (locale data) and makes a
 * {@code java.util.logging} logger, some 25 ms of a client's start-up before the first byte is
 * sent. The request and the reply are the same bytes {@code gate.proto}'s {@code Request} and
 * {@code Response} encode and decode (LsmodClientTest compares them with the generated classes);
 * every other call goes through {@link dev.jdm.gate.GateClient}. Not protobuf's own
 * {@code CodedInputStream} either: its first use initialises protobuf's {@code Utf8} and {@code
 * UnsafeUtil} probing, which measured 3.0x {@code java -version} against 2.4x for this in the same
 * session of {@code jdm-bench/lsmod-wall.sh}, the difference between missing and meeting the 3x target.
 */
public final class LsmodClient {
    // gate.proto field numbers
    private static final int REQUEST_VERSION = 1;
    private static final int REQUEST_ID = 2;
    private static final int REQUEST_MAX_VERSION = 3;
    private static final int REQUEST_LSMOD = 11;
    private static final int RESPONSE_ERROR = 2;
    private static final int RESPONSE_LSMOD = 11;
    /**
     * The field numbers of Response's {@code oneof result}: another call's result replaces lsmod's, as
     * in the generated class (a field this build does not know is skipped, not a result).
     */
    static final java.util.Set<Integer> RESULTS = java.util.Set.of(10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 60, 61, 40, 41, 42,
            80, 81, 100, 101, 102, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 140, 142, 150);

    private LsmodClient() {}

    /** One row of the host's module table, as {@code gate.proto}'s {@code ModuleEntry}. */
    public record Module(String name, long size, int refcount, List<String> usedBy, String state, String taint,
            String origin, boolean slated, String domain) {}

    /** The answer to an lsmod: its modules, or the host's error ({@code code}, {@code errno}, {@code message}). */
    record Reply(List<Module> modules, String errorCode, int errno, String errorMessage, boolean error) {}

    /**
     * Asks the host at {@code socket} for its modules, as {@code GateClient.connect(socket).call(lsmod)}
     * does, with the same exceptions and messages.
     *
     * @throws GateException if no host answers there, the connection broke, or the host refused the call
     */
    public static List<Module> lsmod(Path socket) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw GateException.unreachable("cannot reach a jdm host at " + socket + " (" + e.getMessage()
                    + "); start one with ./jdm host, or give --socket / JDM_SOCKET");
        }
        Reply reply;
        try (ch) {
            ByteBuffer request = ByteBuffer.wrap(request(GateVersion.MIN, GateVersion.MAX, 1));
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ByteBuffer frame = readFrame(ch);
            if (frame == null) {
                throw GateException.unreachable("the host closed the connection");
            }
            reply = decode(frame);
        } catch (IOException e) {
            throw GateException.unreachable("call gate: " + e.getMessage());
        }
        if (reply.error()) {
            // the error path may take its time: the generated Error is what GateException reads
            throw GateException.refused(dev.jdm.gate.proto.Error.newBuilder().setCode(reply.errorCode())
                    .setErrno(reply.errno()).setMessage(reply.errorMessage()).build());
        }
        return reply.modules();
    }

    /** A whole frame (length and body) asking for lsmod: {@code Request{version, id, max_version, lsmod{}}}. */
    static byte[] request(int minVersion, int maxVersion, long id) {
        ByteBuffer b = ByteBuffer.allocate(4 + 40);
        b.position(4);
        if (minVersion != 0) {
            tag(b, REQUEST_VERSION, 0);
            varint(b, Integer.toUnsignedLong(minVersion));
        }
        if (id != 0) {
            tag(b, REQUEST_ID, 0);
            varint(b, id);
        }
        if (maxVersion != 0) {
            tag(b, REQUEST_MAX_VERSION, 0);
            varint(b, Integer.toUnsignedLong(maxVersion));
        }
        tag(b, REQUEST_LSMOD, 2);
        varint(b, 0);
        b.putInt(0, b.position() - 4);
        byte[] frame = new byte[b.position()];
        b.get(0, frame);
        return frame;
    }

    private static void tag(ByteBuffer b, int field, int wireType) {
        varint(b, (long) field << 3 | wireType);
    }

    private static void varint(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    /** The next frame's body, or null at a clean end of stream, as {@code FrameInput} reads it. */
    private static ByteBuffer readFrame(SocketChannel ch) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        if (!fill(ch, length, true)) {
            return null;
        }
        int n = length.getInt(0);
        if (n < 0 || n > Frames.MAX_FRAME) {
            throw new Frames.GarbageException("frame length " + Integer.toUnsignedString(n) + " exceeds " + Frames.MAX_FRAME);
        }
        ByteBuffer body = ByteBuffer.allocate(n);
        if (!fill(ch, body, false)) {
            throw new Frames.GarbageException("stream ended inside a frame of " + n + " bytes");
        }
        return body.flip();
    }

    private static boolean fill(SocketChannel ch, ByteBuffer into, boolean endOk) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into) < 0) {
                if (endOk && into.position() == 0) {
                    return false;
                }
                throw new Frames.GarbageException("stream ended inside a frame (" + into.position() + " of " + into.limit() + " bytes arrived)");
            }
        }
        return true;
    }

    /**
     * Decodes one {@code Response} frame's body as the generated parser would for what lsmod reads:
     * fields in any order, a repeated or embedded message merged, the last of the {@code oneof}
     * results winning, unknown fields skipped.
     */
    static Reply decode(ByteBuffer body) throws IOException {
        Wire in = new Wire(body);
        List<Module> modules = new ArrayList<>();
        int result = 0;
        boolean error = false;
        String code = "";
        String message = "";
        int errno = 0;
        while (in.more()) {
            int tag = in.tag();
            int field = tag >>> 3;
            if (field == RESPONSE_ERROR && (tag & 7) == 2) {
                error = true;
                Wire e = in.embedded();
                while (e.more()) {
                    int t = e.tag();
                    switch (t) {
                        case 1 << 3 | 2 -> code = e.string();
                        case 2 << 3 | 2 -> message = e.string();
                        case 3 << 3 -> errno = (int) e.varint();
                        default -> e.skip(t);
                    }
                }
            } else if (field == RESPONSE_LSMOD && (tag & 7) == 2) {
                if (result != RESPONSE_LSMOD) {
                    modules.clear(); // another result was set before: this one replaces it
                }
                result = RESPONSE_LSMOD;
                Wire reply = in.embedded();
                while (reply.more()) {
                    int t = reply.tag();
                    if (t == (1 << 3 | 2)) {
                        modules.add(module(reply.embedded()));
                    } else {
                        reply.skip(t);
                    }
                }
            } else {
                if ((tag & 7) == 2 && RESULTS.contains(field)) {
                    result = field; // another call's result: the oneof holds it instead
                }
                in.skip(tag);
            }
        }
        return new Reply(result == RESPONSE_LSMOD ? List.copyOf(modules) : List.of(), code, errno, message, error);
    }

    private static Module module(Wire in) throws IOException {
        String name = "";
        long size = 0;
        int refcount = 0;
        List<String> usedBy = new ArrayList<>();
        String state = "";
        String taint = "";
        String origin = "";
        boolean slated = false;
        String domain = "";
        while (in.more()) {
            int t = in.tag();
            switch (t) {
                case 1 << 3 | 2 -> name = in.string();
                case 2 << 3 -> size = in.varint();
                case 3 << 3 -> refcount = (int) in.varint();
                case 4 << 3 | 2 -> usedBy.add(in.string());
                case 5 << 3 | 2 -> state = in.string();
                case 6 << 3 | 2 -> taint = in.string();
                case 7 << 3 | 2 -> origin = in.string();
                case 8 << 3 -> slated = in.varint() != 0;
                case 9 << 3 | 2 -> domain = in.string();
                default -> in.skip(t);
            }
        }
        return new Module(name, size, refcount, List.copyOf(usedBy), state, taint, origin, slated, domain);
    }

    /** Protobuf's wire format over a buffer: varints, length-delimited fields, skipping. */
    private static final class Wire {
        private final ByteBuffer b;

        Wire(ByteBuffer b) {
            this.b = b;
        }

        boolean more() {
            return b.hasRemaining();
        }

        int tag() throws IOException {
            long tag = varint();
            if (tag >>> 3 == 0 || tag > 0xFFFF_FFFFL) {
                throw new IOException("Protocol message contained an invalid tag (zero).");
            }
            return (int) tag;
        }

        long varint() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = get();
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            throw new IOException("CodedInputStream encountered a malformed varint.");
        }

        private byte get() throws IOException {
            if (!b.hasRemaining()) {
                throw truncated();
            }
            return b.get();
        }

        private int length() throws IOException {
            long n = varint();
            if (n < 0 || n > b.remaining()) {
                throw n < 0 || n > Integer.MAX_VALUE ? new IOException("CodedInputStream encountered an embedded string or message which claimed to have negative size.") : truncated();
            }
            return (int) n;
        }

        Wire embedded() throws IOException {
            int n = length();
            ByteBuffer sub = b.slice(b.position(), n);
            b.position(b.position() + n);
            return new Wire(sub);
        }

        String string() throws IOException {
            int n = length();
            ByteBuffer bytes = b.slice(b.position(), n);
            b.position(b.position() + n);
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(bytes).toString();
            } catch (CharacterCodingException e) {
                throw new IOException("Protocol message had invalid UTF-8.");
            }
        }

        void skip(int tag) throws IOException {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> skipBytes(8);
                case 2 -> skipBytes(length());
                case 3 -> {
                    int end = (tag >>> 3) << 3 | 4;
                    while (true) {
                        int t = tag();
                        if (t == end) {
                            return;
                        }
                        skip(t);
                    }
                }
                case 5 -> skipBytes(4);
                default -> throw new IOException("Protocol message tag had invalid wire type.");
            }
        }

        private void skipBytes(int n) throws IOException {
            if (n > b.remaining()) {
                throw truncated();
            }
            b.position(b.position() + n);
        }

        private static IOException truncated() {
            return new IOException("While parsing a protocol message, the input ended unexpectedly in the middle of a field.  "
                    + "This could mean either that the input has been truncated or that an embedded message misreported its own length.");
        }
    }
}
