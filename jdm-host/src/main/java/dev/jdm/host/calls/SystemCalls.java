package dev.jdm.host.calls;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.errno.Errno;
import dev.jdm.gate.GateVersion;
import dev.jdm.gate.proto.DmesgCall;
import dev.jdm.gate.proto.HostInfoReply;
import dev.jdm.gate.proto.LogEntry;
import dev.jdm.gate.proto.LogReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.SysctlEntry;
import dev.jdm.gate.proto.SysctlReply;
import dev.jdm.gate.proto.SysctlSetCall;
import dev.jdm.host.HostException;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.log.LogRecord;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.security.Security;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The call gate's system calls: what the host is, sysctls, and the log. */
public final class SystemCalls implements CallHandler {
    /** What {@code host_info} reports about the host itself. */
    public record HostFacts(String version, String abiGeneration, Path socket, Path stateDir, List<Path> moduleDirs) {}

    private final HostFacts facts;
    private final Sysctl sysctl;
    private final Security security;
    private final LogRing log;

    public SystemCalls(HostFacts facts, Sysctl sysctl, Security security, LogRing log) {
        this.facts = facts;
        this.sysctl = sysctl;
        this.security = security;
        this.log = log;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.HOST_INFO, 1, Request.CallCase.SYSCTL_GET, 1, Request.CallCase.SYSCTL_SET, 1, Request.CallCase.DMESG, 1);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case HOST_INFO -> r.setHostInfo(HostInfoReply.newBuilder().setVersion(facts.version()).setAbiGeneration(facts.abiGeneration())
                    .setSocket(facts.socket().toString()).setStateDir(facts.stateDir().toString())
                    .addAllModuleDirs(facts.moduleDirs().stream().map(Path::toString).toList())
                    .setPid(ProcessHandle.current().pid()).setTaskUid(task.credentials().uid())
                    .setTaskGid(task.credentials().gid()).setTaskPid(task.credentials().pid()).setGateVersion(GateVersion.MAX));
            case SYSCTL_GET -> r.setSysctl(sysctlGet(request.getSysctlGet().getKey()));
            case SYSCTL_SET -> {
                SysctlSetCall c = request.getSysctlSet();
                security.checkSysctlWrite(task, new SysctlWrite(c.getKey(), sysctl.get(c.getKey()).orElse(""), c.getValue()));
                sysctl.set(c.getKey(), c.getValue());
                log.append(LogLevel.NOTICE, "host", "sysctl " + c.getKey() + "=" + sysctl.get(c.getKey()).orElse("")
                        + " by uid " + task.credentials().uid());
                r.setSysctl(sysctlGet(c.getKey()));
            }
            case DMESG -> {
                security.checkSyslogRead(task); // lsmod and blk ls stay public, as on Linux
                dmesg(request.getDmesg(), out);
                return;
            }
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a system call");
        }
        out.send(r.build());
    }

    private SysctlReply sysctlGet(String key) {
        SysctlReply.Builder b = SysctlReply.newBuilder();
        if (key.isEmpty()) {
            sysctl.all().forEach(e -> b.addEntries(SysctlEntry.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
        } else {
            String v = sysctl.get(key).orElseThrow(() -> new HostException(Errno.ENOENT, "sysctl: unknown key " + key));
            b.addEntries(SysctlEntry.newBuilder().setKey(key).setValue(v));
        }
        return b.build();
    }

    private void dmesg(DmesgCall c, GateServer.Responder out) throws IOException {
        long from = Math.max(1, c.getFromSeq());
        List<LogRecord> batch = log.since(from);
        out.send(Response.newBuilder().setMore(c.getFollow()).setLog(logReply(batch)).build());
        if (!batch.isEmpty()) {
            from = batch.getLast().seq() + 1;
        }
        while (c.getFollow()) {
            try {
                batch = log.await(from, 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // an empty batch is a heartbeat: it finds clients that went away
            out.send(Response.newBuilder().setMore(true).setLog(logReply(batch)).build());
            if (!batch.isEmpty()) {
                from = batch.getLast().seq() + 1;
            }
        }
    }

    private static LogReply logReply(List<LogRecord> records) {
        LogReply.Builder b = LogReply.newBuilder();
        for (LogRecord r : records) {
            b.addEntries(LogEntry.newBuilder().setSeq(r.seq()).setMonotonicNanos(r.monotonicNanos()).setLevel(r.level().name())
                    .setSource(r.source()).setMessage(r.message()));
        }
        return b.build();
    }
}
