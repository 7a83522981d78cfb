package dev.jdm.host.calls;

import dev.jdm.gate.proto.GrantEntry;
import dev.jdm.gate.proto.GrantLsReply;
import dev.jdm.gate.proto.GrantRuleEntry;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.grant.GrantRule;
import dev.jdm.host.grant.GrantService;
import dev.jdm.host.grant.HeldGrant;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.Map;

/**
 * The call gate's grant call (version 3): {@code jdm grant ls}. Who holds what is shown to any
 * caller, as {@code lsmod} shows modules: the paths are the operator's own choices (load
 * parameters and config rules), and nothing here opens anything.
 */
public final class GrantCalls implements CallHandler {
    private final GrantService grants;

    public GrantCalls(GrantService grants) {
        this.grants = grants;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.GRANT_LS, 3);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        String module = request.getGrantLs().getModule();
        GrantLsReply.Builder reply = GrantLsReply.newBuilder().setParamsGranted(grants.policy().paramsGranted());
        grants.held().stream().filter(g -> module.isEmpty() || g.module().equals(module)).map(GrantCalls::entry).forEach(reply::addGrants);
        grants.policy().rules().stream().map(GrantCalls::rule).forEach(reply::addRules);
        out.send(Response.newBuilder().setGrantLs(reply).build());
    }

    static GrantEntry entry(HeldGrant g) {
        return GrantEntry.newBuilder().setModule(g.module()).setDomain(g.domain()).setKind(g.kind()).setResource(g.resource())
                .setAccess(g.access()).setVia(g.via()).build();
    }

    private static GrantRuleEntry rule(GrantRule r) {
        return GrantRuleEntry.newBuilder().setModule(r.module() == null ? "" : r.module()).setDomain(r.domain() == null ? "" : r.domain())
                .setPath(r.path().toString()).setAccess(r.readWrite() ? "rw" : "ro").build();
    }
}
