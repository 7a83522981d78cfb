package dev.jdm.host.gate;

import dev.jdm.gate.proto.Request;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.Map;

/**
 * One subsystem's calls on the gate: it turns requests into calls on its subsystem and answers in
 * protobuf, the only place that mapping lives. Throws {@link dev.jdm.host.HostException} for
 * errors the caller should see.
 */
public interface CallHandler {
    /** The calls this handler serves, each with the gate version that added it (1 for the first calls). */
    Map<Request.CallCase, Integer> calls();

    /** Handles {@code request}, sending one or more responses. */
    void handle(Task task, Request request, GateServer.Responder responder) throws IOException;
}
