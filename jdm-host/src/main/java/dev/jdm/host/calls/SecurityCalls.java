package dev.jdm.host.calls;

import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.ModuleReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.SecLsReply;
import dev.jdm.gate.proto.SecModuleEntry;
import dev.jdm.gate.proto.SecReloadCall;
import dev.jdm.gate.proto.SecReloadReply;
import dev.jdm.gate.proto.SecReplaceCall;
import dev.jdm.host.HostException;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.ModuleManager;
import dev.jdm.host.security.Security;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.Map;

/** The call gate's security calls: {@code jdm sec ls}, {@code sec replace}, {@code sec reload}. */
public final class SecurityCalls implements CallHandler {
    private final Security security;
    private final ModuleManager modules;
    private final Sysctl sysctl;
    private final JarUploads uploads;

    public SecurityCalls(Security security, ModuleManager modules, Sysctl sysctl, JarUploads uploads) {
        this.security = security;
        this.modules = modules;
        this.sysctl = sysctl;
        this.uploads = uploads;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.SEC_LS, 1, Request.CallCase.SEC_REPLACE, 1, Request.CallCase.SEC_RELOAD, 1);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case SEC_LS -> r.setSecLs(list());
            case SEC_REPLACE -> r.setSecReplace(replace(task, request.getSecReplace()));
            case SEC_RELOAD -> {
                SecReloadCall c = request.getSecReload();
                String msg = security.reload(task, c.getModule(), c.getHasPolicy() ? c.getPolicy() : null);
                r.setSecReload(SecReloadReply.newBuilder().setMessage(msg));
            }
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a security call");
        }
        out.send(r.build());
    }

    private SecLsReply list() {
        SecLsReply.Builder b = SecLsReply.newBuilder().setStackLocked(sysctl.bool("security.stack_locked"));
        for (Security.Row row : security.list()) {
            b.addModules(SecModuleEntry.newBuilder().setName(row.name()).setState(row.state())
                    .setMode(row.permissive() ? "permissive" : "enforcing").setRefs(row.refs()).setId(row.id()).setOrder(row.order())
                    .setFailure(row.failure()));
        }
        return b.build();
    }

    /** Loads the new module first and only then drains the old one: there is no moment in which neither enforces. */
    private ModuleReply replace(Task task, SecReplaceCall c) throws IOException {
        LoadedModule old = modules.get(c.getOld()).orElseThrow(() -> new HostException(Errno.ENOENT, c.getOld() + ": module is not loaded"));
        if (old.attached(SecurityRegistrar.class).isEmpty()
                || security.list().stream().noneMatch(row -> row.name().equals(old.name()) && row.state().equals("live"))) {
            throw new HostException(Errno.EINVAL, c.getOld() + ": not a live security module; use rmmod and insmod");
        }
        String origin = JarUploads.origin(c.getOrigin());
        LoadedModule m = modules.replace(old.name(), uploads.of(task, c.getUpload(), c.getJar(), origin), origin, c.getParamsMap());
        return ModuleReply.newBuilder().setModule(ModuleCalls.entry(m)).setStatus("replaced").build();
    }
}
