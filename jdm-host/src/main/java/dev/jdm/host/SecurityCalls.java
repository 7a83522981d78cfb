package dev.jdm.host;

import dev.jdm.host.HostException.Code;
import dev.jdm.host.gate.proto.ModuleReply;
import dev.jdm.host.gate.proto.Request;
import dev.jdm.host.gate.proto.Response;
import dev.jdm.host.gate.proto.SecLsReply;
import dev.jdm.host.gate.proto.SecModuleEntry;
import dev.jdm.host.gate.proto.SecReloadCall;
import dev.jdm.host.gate.proto.SecReloadReply;
import dev.jdm.host.gate.proto.SecReplaceCall;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.security.Security;
import dev.jdm.host.task.Task;
import java.io.IOException;

/** The call gate's security calls: {@code jdm sec ls}, {@code sec replace}, {@code sec reload}. */
final class SecurityCalls {
    private final Host host;

    SecurityCalls(Host host) {
        this.host = host;
    }

    void handle(Task task, Request request, Response.Builder r) throws IOException {
        switch (request.getCallCase()) {
            case SEC_LS -> r.setSecLs(list());
            case SEC_REPLACE -> r.setSecReplace(replace(request.getSecReplace()));
            case SEC_RELOAD -> {
                SecReloadCall c = request.getSecReload();
                String msg = host.security().reload(task, c.getModule(), c.getHasPolicy() ? c.getPolicy() : null);
                r.setSecReload(SecReloadReply.newBuilder().setMessage(msg));
            }
            default -> throw new HostException(Code.ENOSYS, "not a security call");
        }
    }

    private SecLsReply list() {
        SecLsReply.Builder b = SecLsReply.newBuilder().setStackLocked(host.sysctl().bool("security.stack_locked"));
        for (Security.Row row : host.security().list()) {
            b.addModules(SecModuleEntry.newBuilder().setName(row.name()).setState(row.state())
                    .setMode(row.permissive() ? "permissive" : "enforcing").setRefs(row.refs()).setId(row.id()).setOrder(row.order())
                    .setFailure(row.failure()));
        }
        return b.build();
    }

    /** Loads the new module first and only then drains the old one: there is no moment in which neither enforces. */
    private ModuleReply replace(SecReplaceCall c) throws IOException {
        LoadedModule old = host.modules().get(c.getOld()).orElseThrow(() -> new HostException(Code.ENOENT, c.getOld() + ": module is not loaded"));
        if (old.attached(dev.jdm.abi.sec.SecurityRegistrar.class).isEmpty() || host.security().list().stream().noneMatch(row -> row.name().equals(old.name()) && row.state().equals("live"))) {
            throw new HostException(Code.EINVAL, c.getOld() + ": not a live security module; use rmmod and insmod");
        }
        String origin = c.getOrigin().isEmpty() ? "module.jar" : c.getOrigin();
        LoadedModule m = host.modules().replace(old.name(), HostCalls.readJar(host, c.getJar().toByteArray(), origin), origin, c.getParamsMap());
        return ModuleReply.newBuilder().setModule(HostCalls.entry(m)).setStatus("replaced").build();
    }
}
