package dev.jdm.host.calls;

import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DomainEntry;
import dev.jdm.gate.proto.DomainLsReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.HostException;
import dev.jdm.host.domain.Domain;
import dev.jdm.host.domain.DomainManager;
import dev.jdm.host.domain.DomainState;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.grant.GrantService;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The call gate's domain calls (version 3): {@code jdm domain ls|restart|debug}. */
public final class DomainCalls implements CallHandler {
    private final DomainManager domains;
    private final Privilege privilege;
    private final GrantService grants;

    public DomainCalls(DomainManager domains, Privilege privilege, GrantService grants) {
        this.domains = domains;
        this.privilege = privilege;
        this.grants = grants;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.DOMAIN_LS, 3, Request.CallCase.DOMAIN_RESTART, 3, Request.CallCase.DOMAIN_DEBUG, 3);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        DomainLsReply reply = switch (request.getCallCase()) {
            case DOMAIN_LS -> ls(request.getDomainLs().getName());
            case DOMAIN_RESTART -> restart(task, request.getDomainRestart().getName());
            case DOMAIN_DEBUG -> debug(task, request.getDomainDebug().getName());
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a domain call");
        };
        out.send(Response.newBuilder().setDomainLs(reply).build());
    }

    public DomainLsReply ls(String name) {
        List<Domain> list = name.isEmpty() ? domains.list() : List.of(find(name));
        return DomainLsReply.newBuilder().addAllDomains(list.stream().map(this::entry).toList()).build();
    }

    /** Restarting a domain is privileged: the security stack decides, as for the setting {@code domain.NAME.restart}. */
    public DomainLsReply restart(Task task, String name) {
        // asked first, so that an unprivileged caller learns nothing, not even whether the domain exists
        privilege.check(task, new SysctlWrite("domain." + name + ".restart", "", "restart"));
        Domain d = find(name);
        domains.restart(name);
        return DomainLsReply.newBuilder().addDomains(entry(d)).build();
    }

    /** Debugging a domain is privileged as restarting it is: the setting {@code domain.NAME.debug}. */
    public DomainLsReply debug(Task task, String name) {
        privilege.check(task, new SysctlWrite("domain." + name + ".debug", "", "jdwp"));
        Domain d = find(name);
        domains.debug(name);
        return DomainLsReply.newBuilder().addDomains(entry(d)).build();
    }

    private Domain find(String name) {
        if (name.isEmpty()) {
            throw new HostException(Errno.EINVAL, "domain: a domain name is required (see jdm domain ls)");
        }
        return domains.find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "domain: no domain named " + name + " (see jdm domain ls)"));
    }

    DomainEntry entry(Domain d) {
        String label = "isolated:" + d.name();
        List<String> held = grants.held().stream().filter(g -> g.domain().equals(label))
                .map(g -> g.module() + " " + g.kind() + " " + g.resource() + " (" + g.access() + ")").toList();
        return DomainEntry.newBuilder().setName(d.name()).setPid(d.pid()).setUid(d.uid()).setState(d.state().label())
                .setRestarts(d.restarts()).addAllModules(d.modules()).addAllLus(d.lus())
                .setRssBytes(d.state() == DomainState.RUNNING ? rss(d.pid()) : 0)
                .setLastExit(d.exitStatus() == null ? "" : d.exitStatus().toString()).addAllGrants(held)
                .setDebugPort(domains.debugPort(d.name())).build();
    }

    /** VmRSS from /proc/PID/status: one small read, so cheap enough for every ls; 0 if it cannot be read. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone meanwhile, or /proc not mounted
        }
        return 0;
    }
}
