package dev.jdm.host.gate;

import dev.jdm.host.gate.proto.Request;
import dev.jdm.host.task.Task;
import java.io.IOException;

/** Serves one call of a task; throws {@link dev.jdm.host.HostException} for errors the caller should see. */
@FunctionalInterface
public interface CallHandler {
    /** Handles {@code request}, sending one or more responses. */
    void handle(Task task, Request request, GateServer.Responder responder) throws IOException;
}
