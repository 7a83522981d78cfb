package dev.jdm.host.calls;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.NbdExportAddCall;
import dev.jdm.gate.proto.NbdExportEntry;
import dev.jdm.gate.proto.NbdExportListReply;
import dev.jdm.gate.proto.NbdExportRemoveCall;
import dev.jdm.gate.proto.NbdExportReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.HostException;
import dev.jdm.host.export.Export;
import dev.jdm.host.export.ExportService;
import dev.jdm.host.export.nbd.NbdServer;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The call gate's export calls: {@code jdm export add|rm|ls}. Adding and removing an export change
 * what others can reach, so the security stack decides them ({@link Privilege}, the setting
 * {@code nbd.exports.NAME}).
 */
public final class ExportCalls implements CallHandler {
    private final ExportService exports;
    private final Supplier<Optional<NbdServer>> nbd;
    private final Function<String, List<String>> uris;
    private final Privilege privilege;
    private final LogRing log;

    public ExportCalls(ExportService exports, Supplier<Optional<NbdServer>> nbd, Function<String, List<String>> uris, Privilege privilege,
            LogRing log) {
        this.exports = exports;
        this.nbd = nbd;
        this.uris = uris;
        this.privilege = privilege;
        this.log = log;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.NBD_EXPORT_ADD, 1, Request.CallCase.NBD_EXPORT_REMOVE, 1, Request.CallCase.NBD_EXPORT_LIST, 1);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case NBD_EXPORT_ADD -> r.setNbdExport(NbdExportReply.newBuilder().setExport(add(task, request.getNbdExportAdd())));
            case NBD_EXPORT_REMOVE -> r.setNbdExport(NbdExportReply.newBuilder().setExport(remove(task, request.getNbdExportRemove())));
            case NBD_EXPORT_LIST -> r.setNbdExports(list());
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not an export call");
        }
        out.send(r.build());
    }

    private NbdExportEntry add(Task task, NbdExportAddCall c) {
        if (c.getDevice().isEmpty()) {
            throw new HostException(Errno.EINVAL, "export: no device named");
        }
        String name = c.getName().isEmpty() ? c.getDevice() : c.getName();
        privilege.check(task, new SysctlWrite("nbd.exports." + name, current(name), c.getDevice() + (c.getReadOnly() ? " ro" : "")));
        boolean created = false;
        if (!c.getMemorySize().isEmpty()) {
            exports.createMemory(c.getDevice(), ExportService.parseSize(c.getMemorySize()));
            created = true;
        }
        Export e = exports.export(c.getName(), c.getDevice(), c.getReadOnly());
        log.append(LogLevel.NOTICE, "nbd", "exported " + c.getDevice() + (created ? " (new memory device)" : "")
                + " as " + e.name() + (e.readOnly() ? " read-only" : "") + " by uid " + task.credentials().uid());
        return entry(e);
    }

    private NbdExportEntry remove(Task task, NbdExportRemoveCall c) {
        privilege.check(task, new SysctlWrite("nbd.exports." + c.getName(), current(c.getName()), ""));
        Export e = exports.unexport(c.getName(), c.getForce());
        log.append(LogLevel.NOTICE, "nbd", "unexported " + e.name() + " by uid " + task.credentials().uid());
        return entry(e);
    }

    /** The export as its setting reads now: its device (and {@code ro}), or empty if there is none. */
    private String current(String name) {
        return exports.registry().list().stream().filter(e -> e.name().equals(name)).findFirst()
                .map(e -> e.device().name() + (e.writesRefused() ? " ro" : "")).orElse("");
    }

    private NbdExportListReply list() {
        NbdExportListReply.Builder b = NbdExportListReply.newBuilder();
        exports.registry().list().forEach(e -> b.addExports(entry(e)));
        nbd.get().ifPresent(n -> {
            if (n.socket() != null) {
                b.setSocket(n.socket().toString());
            }
            if (n.tcpAddress() != null) {
                b.setTcp(n.tcpAddress().getHostString() + ":" + n.tcpAddress().getPort());
            }
        });
        return b.build();
    }

    private NbdExportEntry entry(Export e) {
        return NbdExportEntry.newBuilder().setName(e.name()).setDevice(e.device().name()).setSize(e.device().size())
                .setReadOnly(e.writesRefused()).setConnections(exports.registry().connections(e.name()))
                .addAllUris(uris.apply(e.name())).build();
    }
}
