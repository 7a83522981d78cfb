package dev.jdm.gate.client;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.jdm.gate.Frames;
import dev.jdm.gate.GateException;
import dev.jdm.gate.GateVersion;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code lsmod} call, the one users run most and wait for, spoken with protobuf's wire codec
 * ({@link CodedInputStream}, {@link CodedOutputStream}) but without its generated classes: a
 * generated message's static initialisation checks protobuf's runtime version ({@code
 * RuntimeVersion}), which formats a string (locale data) and makes a {@code java.util.logging}
 * logger, some 25 ms of a client's start-up before the first byte is sent. The request and the
 * reply are the same bytes {@code gate.proto}'s {@code Request} and {@code Response} encode and
 * decode (LsmodClientTest compares them with the generated classes); every other call goes through
 * {@link dev.jdm.gate.GateClient}.
 */
public final class LsmodClient {
    // gate.proto field numbers
    private static final int REQUEST_VERSION = 1;
    private static final int REQUEST_ID = 2;
    private static final int REQUEST_MAX_VERSION = 3;
    private static final int REQUEST_LSMOD = 11;
    private static final int ERROR_TAG = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int LSMOD_TAG = 11 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

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
        byte[] frame = new byte[4 + 40];
        CodedOutputStream out = CodedOutputStream.newInstance(frame, 4, 40);
        try {
            if (minVersion != 0) {
                out.writeUInt32(REQUEST_VERSION, minVersion);
            }
            if (id != 0) {
                out.writeUInt64(REQUEST_ID, id);
            }
            if (maxVersion != 0) {
                out.writeUInt32(REQUEST_MAX_VERSION, maxVersion);
            }
            out.writeTag(REQUEST_LSMOD, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(0); // LsmodCall has no fields
        } catch (IOException e) {
            throw new IllegalStateException("an lsmod request outgrew its 40 bytes", e);
        }
        int length = 40 - out.spaceLeft();
        ByteBuffer.wrap(frame).putInt(0, length);
        return java.util.Arrays.copyOf(frame, 4 + length);
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
     * fields in any order, repeated lsmod results merged, unknown fields skipped. A reply that
     * carries neither an lsmod result nor an error is refused.
     */
    static Reply decode(ByteBuffer body) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        List<Module> modules = new ArrayList<>();
        boolean lsmod = false;
        boolean error = false;
        String code = "";
        String message = "";
        int errno = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == ERROR_TAG) {
                error = true;
                int outer = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    switch (t) {
                        case 1 << 3 | 2 -> code = in.readStringRequireUtf8();
                        case 2 << 3 | 2 -> message = in.readStringRequireUtf8();
                        case 3 << 3 -> errno = in.readInt32();
                        default -> in.skipField(t);
                    }
                }
                in.popLimit(outer);
            } else if (tag == LSMOD_TAG) {
                lsmod = true;
                int outer = in.pushLimit(in.readRawVarint32());
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == (1 << 3 | 2)) {
                        int entry = in.pushLimit(in.readRawVarint32());
                        modules.add(module(in));
                        in.popLimit(entry);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(outer);
            } else {
                in.skipField(tag);
            }
        }
        if (!lsmod && !error) {
            throw new IOException("the host's reply to lsmod carries no lsmod result");
        }
        return new Reply(List.copyOf(modules), code, errno, message, error);
    }

    /** One ModuleEntry, up to the limit pushed for it. */
    private static Module module(CodedInputStream in) throws IOException {
        String name = "";
        long size = 0;
        int refcount = 0;
        List<String> usedBy = new ArrayList<>();
        String state = "";
        String taint = "";
        String origin = "";
        boolean slated = false;
        String domain = "";
        for (int t; (t = in.readTag()) != 0; ) {
            switch (t) {
                case 1 << 3 | 2 -> name = in.readStringRequireUtf8();
                case 2 << 3 -> size = in.readInt64();
                case 3 << 3 -> refcount = in.readInt32();
                case 4 << 3 | 2 -> usedBy.add(in.readStringRequireUtf8());
                case 5 << 3 | 2 -> state = in.readStringRequireUtf8();
                case 6 << 3 | 2 -> taint = in.readStringRequireUtf8();
                case 7 << 3 | 2 -> origin = in.readStringRequireUtf8();
                case 8 << 3 -> slated = in.readBool();
                case 9 << 3 | 2 -> domain = in.readStringRequireUtf8();
                default -> in.skipField(t);
            }
        }
        return new Module(name, size, refcount, List.copyOf(usedBy), state, taint, origin, slated, domain);
    }
}
