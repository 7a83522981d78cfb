package dev.jdm.client;

import dev.jdm.gate.DevReads;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.GateVersion;
import dev.jdm.gate.proto.DevCloseCall;
import dev.jdm.gate.proto.DevOpenCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * A host's character devices as a library, over one call-gate connection: typed stubs for a
 * device's calls ({@link #calls}) and streams for reading and writing it. A privileged service is
 * used like a library this way, with the host deciding every access from the caller's credentials:
 * no setuid program, and no daemon of the caller's own. Everything opened belongs to the
 * connection and is released when it closes. Calls on one client are serialised.
 */
public final class DevClient implements AutoCloseable {
    /** Open flags, as Linux's (and the gate's): read, write, O_EXCL, O_NONBLOCK. */
    public static final int READ = 4;
    public static final int WRITE = 2;
    public static final int EXCL = 0200;
    public static final int NONBLOCK = 04000;
    /** The gate version that added character devices. */
    static final int CHR_VERSION = 3;

    private final GateClient gate;
    /** The stream whose reads may be in flight: settled before anything else uses the connection. */
    private DevReads reading;

    private DevClient(GateClient gate) {
        this.gate = gate;
    }

    /**
     * Connects to the host at {@code socket}, asking for a gate that has character devices.
     *
     * @throws dev.jdm.gate.GateException if no host listens, or it is too old (EPROTO on the first call)
     */
    public static DevClient connect(Path socket) {
        return new DevClient(GateClient.connect(socket, CHR_VERSION, Math.max(CHR_VERSION, GateVersion.MAX)));
    }

    /**
     * A stub for {@code node}'s typed calls, as {@code api} (this client's copy of the driver's
     * interface) declares them. Each call carries the fingerprint of its method as this copy
     * defines it, so if the device's definition changed the host refuses it (EPROTO) and nothing
     * runs; errors the driver raises arrive as {@link dev.jdm.gate.GateException} with their errno.
     *
     * @throws IllegalArgumentException if {@code api} is not an interface of records
     */
    public <T> T calls(String node, Class<T> api) {
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, new CallStub(this, node, api)));
    }

    /** Opens {@code node} for reading; the stream's close releases it. */
    public DevInputStream input(String node, int extraFlags) {
        return new DevInputStream(new DevHandle(this, node, open(node, READ | extraFlags)));
    }

    /** Opens {@code node} for writing; the stream's close releases it. */
    public DevOutputStream output(String node) {
        return new DevOutputStream(new DevHandle(this, node, open(node, WRITE)));
    }

    long open(String node, int flags) {
        return call(Request.newBuilder().setDevOpen(DevOpenCall.newBuilder().setName(node).setFlags(flags))).getDevOpen().getHandle();
    }

    void close(long handle) {
        call(Request.newBuilder().setDevClose(DevCloseCall.newBuilder().setHandle(handle)));
    }

    synchronized Response call(Request.Builder r) {
        settle();
        return gate.call(r);
    }

    /** A bulk reader of the open file {@code handle}, used through {@link #next}. */
    DevReads reads(long handle) {
        return new DevReads(gate, handle, DevReads.CHUNK, Long.MAX_VALUE);
    }

    /** The next data of {@code r}, after the reads in flight of any other reader on this connection. */
    synchronized ByteBuffer next(DevReads r) {
        if (reading != r) {
            settle();
            reading = r;
        }
        return r.next();
    }

    private void settle() {
        if (reading != null) {
            reading.settle();
            reading = null;
        }
    }

    /** The last response of a call whose waits are answered with heartbeats (more=true). */
    synchronized Response last(Request.Builder r) {
        Response[] last = new Response[1];
        Predicate<Response> each = x -> {
            if (!x.getMore()) {
                last[0] = x;
            }
            return true;
        };
        settle();
        gate.stream(r, each);
        return last[0];
    }

    @Override
    public void close() {
        gate.close();
    }
}
