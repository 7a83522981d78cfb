package dev.jdm.cli;

import dev.jdm.host.gate.Frames;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.gate.proto.Request;
import dev.jdm.host.gate.proto.Response;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Predicate;

/** A task's connection to the host's call gate. */
final class GateClient implements AutoCloseable {
    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private long nextId = 1;

    private GateClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
    }

    /** The socket to use: {@code flag} (--socket) if given, then $JDM_SOCKET, then the host's default. */
    static Path socket(Path flag) {
        if (flag != null) {
            return flag;
        }
        String env = System.getenv("JDM_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : dev.jdm.host.Host.defaultRuntimeDir().resolve("gate.sock");
    }

    /**
     * Connects to the gate.
     *
     * @throws CliException naming the socket if no host listens there
     */
    static GateClient connect(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new GateClient(ch);
        } catch (IOException e) {
            throw new CliException(CliException.NO_HOST, "cannot reach a jdm host at " + socket + " (" + e.getMessage()
                    + "); start one with ./jdm host, or give --socket / JDM_SOCKET");
        }
    }

    /** Sends one call and returns its response; an error response becomes a {@link CliException}. */
    Response call(Request.Builder request) {
        Response[] last = new Response[1];
        stream(request, r -> {
            last[0] = r;
            return false;
        });
        return last[0];
    }

    /**
     * Sends one call and returns its one response as it came, an error included: for callers that
     * turn the host's errno into their own exceptions.
     */
    Response exchange(Request.Builder request) {
        long id = nextId++;
        try {
            Frames.write(out, request.setVersion(GateServer.VERSION).setId(id).build().toByteArray());
            byte[] frame = Frames.read(in);
            if (frame == null) {
                throw new CliException(CliException.NO_HOST, "the host closed the connection");
            }
            return Response.parseFrom(frame);
        } catch (IOException e) {
            throw new CliException(CliException.NO_HOST, "call gate: " + e.getMessage());
        }
    }

    /** Sends one call and hands each response to {@code each} until it returns false or the stream ends. */
    void stream(Request.Builder request, Predicate<Response> each) {
        long id = nextId++;
        try {
            Frames.write(out, request.setVersion(GateServer.VERSION).setId(id).build().toByteArray());
            while (true) {
                byte[] frame = Frames.read(in);
                if (frame == null) {
                    throw new CliException(CliException.NO_HOST, "the host closed the connection");
                }
                Response r = Response.parseFrom(frame);
                if (r.hasError()) {
                    throw new CliException(CliException.HOST_ERROR, r.getError().getMessage() + " [" + r.getError().getCode() + "]");
                }
                if (!each.test(r) || !r.getMore()) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new CliException(CliException.NO_HOST, "call gate: " + e.getMessage());
        }
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
