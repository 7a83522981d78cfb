package dev.jdm.gate;

import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * A task's connection to a host's call gate: typed calls over the host's Unix socket, without the
 * host on the class path. Every request offers the versions this build speaks; the host answers
 * with the one it chose ({@link #version()}).
 */
public final class GateClient implements AutoCloseable {
    private final SocketChannel channel;
    /** Receive buffer asked of the kernel: several large replies may be in flight ({@link DevReads}). */
    static final int RECEIVE_BUFFER = 4 << 20;
    private final FrameInput in;
    private final DataOutputStream out;
    private final int minVersion;
    private final int maxVersion;
    private long nextId = 1;
    private int version;

    private GateClient(SocketChannel channel, int minVersion, int maxVersion) {
        this.channel = channel;
        this.minVersion = minVersion;
        this.maxVersion = maxVersion;
        this.in = new FrameInput(channel);
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
    }

    /**
     * Connects to the gate at {@code socket}, offering every version this build speaks.
     *
     * @throws GateException naming the socket if no host listens there
     */
    public static GateClient connect(Path socket) {
        return connect(socket, GateVersion.MIN, GateVersion.MAX);
    }

    /** Connects offering only versions {@code min..max} (a client that needs a newer call sets min). */
    public static GateClient connect(Path socket, int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("gate versions " + min + ".." + max + " are not a range from 1");
        }
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER); // the kernel caps it (rmem_max)
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new GateClient(ch, min, max);
        } catch (IOException e) {
            throw GateException.unreachable("cannot reach a jdm host at " + socket + " (" + e.getMessage()
                    + "); start one with ./jdm host, or give --socket / JDM_SOCKET");
        }
    }

    /** The version the host chose on the last response (0 before the first). */
    public int version() {
        return version;
    }

    /** Sends one call and returns its response. @throws GateException if the host refused it */
    public Response call(Request.Builder request) {
        Response[] last = new Response[1];
        stream(request, r -> {
            last[0] = r;
            return false;
        });
        return last[0];
    }

    /** Sends one call and returns its one response as it came, an error included. */
    public Response exchange(Request.Builder request) {
        try {
            send(request);
            return receive();
        } catch (IOException e) {
            throw GateException.unreachable("call gate: " + e.getMessage());
        }
    }

    /** Sends one call and hands each response to {@code each} until it returns false or the stream ends. */
    public void stream(Request.Builder request, Predicate<Response> each) {
        try {
            send(request);
            while (true) {
                Response r = receive();
                if (r.hasError()) {
                    throw GateException.refused(r.getError());
                }
                if (!each.test(r) || !r.getMore()) {
                    return;
                }
            }
        } catch (IOException e) {
            throw GateException.unreachable("call gate: " + e.getMessage());
        }
    }

    /** Sends one call without waiting for its response; its id. */
    long send(Request.Builder request) throws IOException {
        long id = nextId++;
        Frames.write(out, request.setVersion(minVersion).setMaxVersion(maxVersion).setId(id).build().toByteArray());
        return id;
    }

    private Response receive() throws IOException {
        return receive(false);
    }

    /**
     * The next response. With {@code alias}, its bytes fields share the receive buffer (no copy)
     * and are valid only until the next receive; without, they are the response's own.
     */
    Response receive(boolean alias) throws IOException {
        ByteBuffer frame = in.next();
        if (frame == null) {
            throw GateException.unreachable("the host closed the connection");
        }
        return parse(frame, alias);
    }

    /** The frames as they arrive, for a reader that takes a large reply's payload past the parser ({@link DevReads}). */
    FrameInput input() {
        return in;
    }

    /** The socket's descriptor, or -1 where this JVM does not open sun.nio.ch to this code. */
    int descriptor() {
        return GateSocket.descriptorOf(channel);
    }

    /** Parses one response frame (see {@link #receive(boolean)}). */
    Response parse(ByteBuffer frame, boolean alias) throws IOException {
        // a wrapped ByteString's reader is one protobuf knows to be immutable: only that one aliases
        CodedInputStream coded = UnsafeByteOperations.unsafeWrap(frame).newCodedInput();
        coded.enableAliasing(alias);
        coded.setSizeLimit(Frames.MAX_FRAME);
        Response r = Response.parseFrom(coded);
        version = r.getVersion() == 0 ? 1 : r.getVersion(); // a version 1 host does not say
        return r;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
