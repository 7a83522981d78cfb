package dev.jdm.host.gate;

import dev.jdm.errno.Errno;
import dev.jdm.gate.GateVersion;
import dev.jdm.gate.proto.Request;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which handler serves which call. Adding a call is one entry in the proto and one in its
 * subsystem's handler; a call newer than the connection's negotiated version is refused with
 * ENOSYS, so old clients never meet calls they do not know.
 */
public final class CallTable implements GateServer.Dispatcher {
    private record Entry(CallHandler handler, int since) {}

    private final Map<Request.CallCase, Entry> calls = new EnumMap<>(Request.CallCase.class);

    /** Registers every call of {@code handler}; a call served twice is a wiring error. */
    public CallTable register(CallHandler handler) {
        handler.calls().forEach((call, since) -> {
            if (since < GateVersion.MIN || since > GateVersion.MAX) {
                throw new IllegalArgumentException(call + ": gate version " + since + " is outside " + GateVersion.MIN + ".." + GateVersion.MAX);
            }
            Entry prior = calls.putIfAbsent(call, new Entry(handler, since));
            if (prior != null) {
                throw new IllegalStateException(call + " is served already by " + prior.handler().getClass().getName());
            }
        });
        return this;
    }

    @Override
    public void dispatch(Task task, Request request, int version, GateServer.Responder out) throws IOException {
        Entry e = calls.get(request.getCallCase());
        if (e == null) {
            throw new HostException(Errno.ENOSYS, "unknown or empty call; this host speaks gate versions " + GateVersion.MIN + ".." + GateVersion.MAX);
        }
        if (e.since() > version) {
            throw new HostException(Errno.ENOSYS, request.getCallCase().name().toLowerCase() + " needs gate version " + e.since()
                    + "; this connection speaks " + version);
        }
        e.handler().handle(task, request, out);
    }
}
