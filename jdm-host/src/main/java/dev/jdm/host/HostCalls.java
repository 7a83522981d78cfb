package dev.jdm.host;

import dev.jdm.host.HostException.Code;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.gate.proto.*;
import dev.jdm.host.log.LogRecord;
import dev.jdm.host.module.Depmod;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.ModuleIndex;
import dev.jdm.host.module.ModuleManager;
import dev.jdm.host.module.Taint;
import dev.jdm.host.task.Task;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Serves the call gate's calls from the host's subsystems. */
final class HostCalls implements CallHandler {
    private final Host host;

    HostCalls(Host host) {
        this.host = host;
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case HOST_INFO -> r.setHostInfo(HostInfoReply.newBuilder().setVersion(Host.VERSION)
                    .setAbiGeneration(host.exports().abi().generation()).setSocket(host.socket().toString())
                    .setStateDir(host.stateDir().toString())
                    .addAllModuleDirs(host.modules().index().directories().stream().map(Path::toString).toList())
                    .setPid(ProcessHandle.current().pid()).setTaskUid(task.credentials().uid())
                    .setTaskGid(task.credentials().gid()).setTaskPid(task.credentials().pid()));
            case LSMOD -> r.setLsmod(LsmodReply.newBuilder().addAllModules(host.modules().list().stream().map(HostCalls::entry).toList()));
            case INSMOD -> r.setModule(insmod(request.getInsmod()));
            case RMMOD -> {
                RmmodCall c = request.getRmmod();
                ModuleManager.UnloadResult res = host.modules().unload(c.getName(), c.getWait(), c.getForce());
                r.setModule(ModuleReply.newBuilder().setStatus(res.name().toLowerCase()));
            }
            case MODINFO -> r.setModinfo(modinfo(request.getModinfo().getName()));
            case MODPROBE -> r.setModprobe(modprobe(request.getModprobe()));
            case DEPMOD -> {
                Path dir = host.modules().index().userDirectory().orElseThrow(() -> new HostException(Code.ENOENT, "depmod: no user modules directory"));
                Depmod.Result res = Depmod.run(host.modules().index(), dir);
                r.setDepmod(DepmodReply.newBuilder().setDirectory(res.directory().toString()).setModules(res.modules()).addAllProblems(res.problems()));
            }
            case SYSCTL_GET -> r.setSysctl(sysctlGet(request.getSysctlGet().getKey()));
            case SYSCTL_SET -> {
                SysctlSetCall c = request.getSysctlSet();
                host.security().checkSysctlWrite(task, new dev.jdm.abi.sec.SysctlWrite(c.getKey(), host.sysctl().get(c.getKey()).orElse(""), c.getValue()));
                host.sysctl().set(c.getKey(), c.getValue());
                host.log().append(dev.jdm.abi.LogLevel.NOTICE, "host", "sysctl " + c.getKey() + "=" + host.sysctl().get(c.getKey()).orElse("")
                        + " by uid " + task.credentials().uid());
                r.setSysctl(sysctlGet(c.getKey()));
            }
            case DMESG -> {
                host.security().checkSyslogRead(task); // lsmod and blk ls stay public, as on Linux
                dmesg(request.getDmesg(), out);
                return;
            }
            case TAINT -> r.setTaint(taint());
            case ABI_EXPLAIN -> r.setExplain(explain(request.getAbiExplain().getSymbol()));
            case BLK_LS -> r.setBlkLs(host.blockCalls().ls(request.getBlkLs().getName()));
            case BLK_STAT -> r.setBlkStat(host.blockCalls().stat(request.getBlkStat().getName()));
            case BLK_GUARD -> r.setBlkLs(host.blockCalls().guard(task, request.getBlkGuard().getName(), request.getBlkGuard().getBytes()));
            case BLK_RESCAN -> r.setBlkLs(host.blockCalls().rescan(request.getBlkRescan().getName()));
            case SWEEP_OPEN -> r.setSweepOpen(host.sweepCalls().open(task, request.getSweepOpen().getName(), request.getSweepOpen().getWrite()));
            case SWEEP_IO -> {
                try {
                    r.setSweepIo(host.sweepCalls().io(task, request.getSweepIo()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HostException(Code.EIO, "sweep io: interrupted (the host is stopping)");
                }
            }
            case SWEEP_CLOSE -> r.setSweepClose(host.sweepCalls().close(task, request.getSweepClose().getHandle()));
            case SEC_LS, SEC_REPLACE, SEC_RELOAD -> new SecurityCalls(host).handle(task, request, r);
            case NBD_EXPORT_ADD -> r.setNbdExport(NbdExportReply.newBuilder().setExport(exportAdd(task, request.getNbdExportAdd())));
            case NBD_EXPORT_REMOVE -> {
                NbdExportRemoveCall c = request.getNbdExportRemove();
                requireOwner(task, "remove export " + c.getName());
                var e = host.exportService().unexport(c.getName(), c.getForce());
                host.log().append(dev.jdm.abi.LogLevel.NOTICE, "nbd", "unexported " + e.name() + " by uid " + task.credentials().uid());
                r.setNbdExport(NbdExportReply.newBuilder().setExport(exportEntry(e)));
            }
            case NBD_EXPORT_LIST -> {
                NbdExportListReply.Builder b = NbdExportListReply.newBuilder();
                host.exportService().registry().list().forEach(e -> b.addExports(exportEntry(e)));
                host.nbd().ifPresent(n -> {
                    if (n.socket() != null) {
                        b.setSocket(n.socket().toString());
                    }
                    if (n.tcpAddress() != null) {
                        b.setTcp(n.tcpAddress().getHostString() + ":" + n.tcpAddress().getPort());
                    }
                });
                r.setNbdExports(b);
            }
            case CALL_NOT_SET -> throw new HostException(Code.ENOSYS, "unknown or empty call; this host speaks gate protocol " + GateServer.VERSION);
        }
        out.send(r.build());
    }

    private NbdExportEntry exportAdd(Task task, NbdExportAddCall c) {
        requireOwner(task, "export " + c.getDevice());
        if (c.getDevice().isEmpty()) {
            throw new HostException(Code.EINVAL, "export: no device named");
        }
        boolean created = false;
        if (!c.getMemorySize().isEmpty()) {
            host.exportService().createMemory(c.getDevice(), dev.jdm.host.export.ExportService.parseSize(c.getMemorySize()));
            created = true;
        }
        var e = host.exportService().export(c.getName(), c.getDevice(), c.getReadOnly());
        host.log().append(dev.jdm.abi.LogLevel.NOTICE, "nbd", "exported " + c.getDevice() + (created ? " (new memory device)" : "")
                + " as " + e.name() + (e.readOnly() ? " read-only" : "") + " by uid " + task.credentials().uid());
        return exportEntry(e);
    }

    /** Exports change what others can reach: only root or the host's own user may change them. */
    private static void requireOwner(Task task, String what) {
        int uid = task.credentials().uid();
        if (uid != 0 && uid != dev.jdm.host.sys.Libc.getuid()) {
            throw new HostException(Code.EPERM, what + ": uid " + uid + " may not change exports (root or the host's user only)");
        }
    }

    private NbdExportEntry exportEntry(dev.jdm.host.export.Export e) {
        return NbdExportEntry.newBuilder().setName(e.name()).setDevice(e.device().name()).setSize(e.device().size())
                .setReadOnly(e.writesRefused()).setConnections(host.exportService().registry().connections(e.name()))
                .addAllUris(host.nbdUris(e.name())).build();
    }

    static ModuleEntry entry(LoadedModule m) {
        return ModuleEntry.newBuilder().setName(m.name()).setSize(m.size()).setRefcount(m.refcount()).addAllUsedBy(m.holders())
                .setState(m.state().name().toLowerCase()).setTaint(Taint.letters(m.taints())).setOrigin(m.origin())
                .setSlated(m.slated()).build();
    }

    private ModuleReply insmod(InsmodCall c) throws IOException {
        String origin = c.getOrigin().isEmpty() ? "module.jar" : c.getOrigin();
        LoadedModule m = host.modules().load(readJar(host, c.getJar().toByteArray(), origin), origin, c.getParamsMap(), c.getForce());
        return ModuleReply.newBuilder().setModule(entry(m)).setStatus("live").build();
    }

    /**
     * Reads a module JAR sent through the gate, with the same limits as one on disk (entries, size,
     * expansion ratio). It passes through a private file in the state directory because the JAR
     * reader works on files; the caller's own paths are never opened.
     *
     * @throws HostException ENOEXEC naming {@code origin} if it is not a readable module JAR
     */
    static JarContents readJar(Host host, byte[] bytes, String origin) throws IOException {
        Path tmp = Files.createTempFile(host.stateDir(), "module-", ".jar");
        try {
            Files.write(tmp, bytes);
            JarContents jar;
            try {
                jar = JarContents.read(tmp);
            } catch (SymversException e) {
                throw new HostException(Code.ENOEXEC, e.getMessage().replace(tmp.toString(), origin));
            }
            return jar.withOrigin(origin);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private ModinfoReply modinfo(String name) {
        var loaded = host.modules().get(name);
        ModInfo info;
        String filename;
        if (loaded.isPresent()) {
            info = loaded.get().info();
            filename = loaded.get().origin();
        } else {
            ModuleIndex.Entry e = host.modules().index().find(name).orElseThrow(() -> new HostException(Code.ENOENT,
                    "modinfo: module " + name + " not found"));
            info = e.info();
            filename = e.path().toString();
        }
        ModinfoReply.Builder b = ModinfoReply.newBuilder().setFilename(filename);
        info.entries().forEach(e -> b.addFields(ModinfoField.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
        loaded.ifPresent(m -> m.adapters().forEach(a -> b.addFields(ModinfoField.newBuilder().setKey("adapter").setValue(a))));
        return b.build();
    }

    private ModprobeReply modprobe(ModprobeCall c) {
        ModprobeReply.Builder b = ModprobeReply.newBuilder();
        if (c.getRemove()) {
            return b.addAllModules(host.modprobe().remove(c.getName())).build();
        }
        if (c.getDryRun()) {
            return b.addAllPlan(host.modprobe().plan(c.getName())).build();
        }
        return b.addAllModules(host.modprobe().load(c.getName(), c.getParamsMap())).build();
    }

    private SysctlReply sysctlGet(String key) {
        SysctlReply.Builder b = SysctlReply.newBuilder();
        if (key.isEmpty()) {
            host.sysctl().all().forEach(e -> b.addEntries(SysctlEntry.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
        } else {
            String v = host.sysctl().get(key).orElseThrow(() -> new HostException(Code.ENOENT, "sysctl: unknown key " + key));
            b.addEntries(SysctlEntry.newBuilder().setKey(key).setValue(v));
        }
        return b.build();
    }

    private void dmesg(DmesgCall c, GateServer.Responder out) throws IOException {
        long from = Math.max(1, c.getFromSeq());
        List<LogRecord> batch = host.log().since(from);
        out.send(Response.newBuilder().setMore(c.getFollow()).setLog(logReply(batch)).build());
        if (!batch.isEmpty()) {
            from = batch.getLast().seq() + 1;
        }
        while (c.getFollow()) {
            try {
                batch = host.log().await(from, 1000);
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

    private TaintReply taint() {
        var taints = host.modules().taints();
        TaintReply.Builder b = TaintReply.newBuilder().setLetters(Taint.letters(taints));
        for (Taint t : Taint.values()) {
            if (taints.contains(t)) {
                b.addFlags(TaintFlag.newBuilder().setLetter(String.valueOf(t.letter())).setDescription(t.description())
                        .addAllModules(host.modules().list().stream().filter(m -> m.taints().contains(t)).map(LoadedModule::name).toList()));
            }
        }
        return b.build();
    }

    private ExplainReply explain(String text) {
        Symbol s;
        try {
            s = Symbol.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HostException(Code.EINVAL, e.getMessage());
        }
        var e = host.exports().get(s).orElseThrow(() -> new HostException(Code.ENOENT, "Unknown symbol " + s + ": the host exports no such symbol"));
        return ExplainReply.newBuilder().setSymbol(s.toString()).setFingerprint(Definition.hex(e.fingerprint()))
                .setProvider(e.provider()).setGeneration(e.generation()).addAllDefinition(e.definition().lines()).build();
    }
}
