package dev.jdm.host.calls;

import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DepmodReply;
import dev.jdm.gate.proto.ExplainReply;
import dev.jdm.gate.proto.InsmodCall;
import dev.jdm.gate.proto.JarUploadReply;
import dev.jdm.gate.proto.LsmodReply;
import dev.jdm.gate.proto.ModinfoField;
import dev.jdm.gate.proto.ModinfoReply;
import dev.jdm.gate.proto.ModprobeCall;
import dev.jdm.gate.proto.ModprobeReply;
import dev.jdm.gate.proto.ModuleEntry;
import dev.jdm.gate.proto.ModuleReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.RmmodCall;
import dev.jdm.gate.proto.TaintFlag;
import dev.jdm.gate.proto.TaintReply;
import dev.jdm.host.HostException;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.module.Depmod;
import dev.jdm.host.module.ExportTable;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.module.Modprobe;
import dev.jdm.host.module.ModuleIndex;
import dev.jdm.host.module.ModuleManager;
import dev.jdm.host.module.Taint;
import dev.jdm.host.task.Task;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.Symbol;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The call gate's module calls: lsmod, insmod, rmmod, modinfo, modprobe, depmod, the taints, and ABI symbols. */
public final class ModuleCalls implements CallHandler {
    private final ModuleManager modules;
    private final Modprobe modprobe;
    private final ExportTable exports;
    private final JarUploads uploads;

    public ModuleCalls(ModuleManager modules, Modprobe modprobe, ExportTable exports, JarUploads uploads) {
        this.modules = modules;
        this.modprobe = modprobe;
        this.exports = exports;
        this.uploads = uploads;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        Map<Request.CallCase, Integer> calls = new java.util.EnumMap<>(Request.CallCase.class);
        for (Request.CallCase c : Set.of(Request.CallCase.LSMOD, Request.CallCase.INSMOD, Request.CallCase.RMMOD, Request.CallCase.MODINFO,
                Request.CallCase.MODPROBE, Request.CallCase.DEPMOD, Request.CallCase.TAINT, Request.CallCase.ABI_EXPLAIN)) {
            calls.put(c, 1);
        }
        calls.put(Request.CallCase.JAR_UPLOAD, 2);
        return calls;
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case LSMOD -> r.setLsmod(LsmodReply.newBuilder().addAllModules(modules.list().stream().map(ModuleCalls::entry).toList()));
            case INSMOD -> r.setModule(insmod(task, request.getInsmod()));
            case JAR_UPLOAD -> {
                long[] at = uploads.append(task, request.getJarUpload().getUpload(), request.getJarUpload().getData().toByteArray());
                r.setJarUpload(JarUploadReply.newBuilder().setUpload(at[0]).setBytes(at[1]));
            }
            case RMMOD -> {
                RmmodCall c = request.getRmmod();
                ModuleManager.UnloadResult res = modules.unload(c.getName(), c.getWait(), c.getForce());
                r.setModule(ModuleReply.newBuilder().setStatus(res.name().toLowerCase()));
            }
            case MODINFO -> r.setModinfo(modinfo(request.getModinfo().getName()));
            case MODPROBE -> r.setModprobe(modprobe(request.getModprobe()));
            case DEPMOD -> {
                Path dir = modules.index().userDirectory().orElseThrow(() -> new HostException(Errno.ENOENT, "depmod: no user modules directory"));
                Depmod.Result res = Depmod.run(modules.index(), dir);
                r.setDepmod(DepmodReply.newBuilder().setDirectory(res.directory().toString()).setModules(res.modules()).addAllProblems(res.problems()));
            }
            case TAINT -> r.setTaint(taint());
            case ABI_EXPLAIN -> r.setExplain(explain(request.getAbiExplain().getSymbol()));
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a module call");
        }
        out.send(r.build());
    }

    /** A module as lsmod shows it. */
    static ModuleEntry entry(LoadedModule m) {
        return ModuleEntry.newBuilder().setName(m.name()).setSize(m.size()).setRefcount(m.refcount()).addAllUsedBy(m.holders())
                .setState(m.state().name().toLowerCase()).setTaint(Taint.letters(m.taints())).setOrigin(m.origin())
                .setSlated(m.slated()).setDomain(m.domain()).build();
    }

    private ModuleReply insmod(Task task, InsmodCall c) throws IOException {
        String origin = JarUploads.origin(c.getOrigin());
        LoadedModule m = modules.load(uploads.of(task, c.getUpload(), c.getJar(), origin), origin, withDomain(c), c.getForce());
        return ModuleReply.newBuilder().setModule(entry(m)).setStatus("live").build();
    }

    /** The call's parameters with its domain field as the host parameter {@code domain=}; both at once must agree. */
    static Map<String, String> withDomain(InsmodCall c) {
        if (c.getDomain().isEmpty()) {
            return c.getParamsMap();
        }
        String given = c.getParamsMap().get("domain");
        if (given != null && !given.equals(c.getDomain())) {
            throw new HostException(Errno.EINVAL, "insmod: --domain " + c.getDomain() + " and the parameter domain=" + given + " disagree");
        }
        Map<String, String> params = new java.util.LinkedHashMap<>(c.getParamsMap());
        params.put("domain", c.getDomain());
        return params;
    }

    private ModinfoReply modinfo(String name) {
        var loaded = modules.get(name);
        ModInfo info;
        String filename;
        if (loaded.isPresent()) {
            info = loaded.get().info();
            filename = loaded.get().origin();
        } else {
            ModuleIndex.Entry e = modules.index().find(name).orElseThrow(() -> new HostException(Errno.ENOENT,
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
            return b.addAllModules(modprobe.remove(c.getName())).build();
        }
        if (c.getDryRun()) {
            return b.addAllPlan(modprobe.plan(c.getName())).build();
        }
        return b.addAllModules(modprobe.load(c.getName(), c.getParamsMap())).build();
    }

    private TaintReply taint() {
        var taints = modules.taints();
        TaintReply.Builder b = TaintReply.newBuilder().setLetters(Taint.letters(taints));
        for (Taint t : Taint.values()) {
            if (taints.contains(t)) {
                b.addFlags(TaintFlag.newBuilder().setLetter(String.valueOf(t.letter())).setDescription(t.description())
                        .addAllModules(modules.list().stream().filter(m -> m.taints().contains(t)).map(LoadedModule::name).toList()));
            }
        }
        return b.build();
    }

    private ExplainReply explain(String text) {
        Symbol s;
        try {
            s = Symbol.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HostException(Errno.EINVAL, e.getMessage());
        }
        var e = exports.get(s).orElseThrow(() -> new HostException(Errno.ENOENT, "Unknown symbol " + s + ": the host exports no such symbol"));
        return ExplainReply.newBuilder().setSymbol(s.toString()).setFingerprint(Definition.hex(e.fingerprint()))
                .setProvider(e.provider()).setGeneration(e.generation()).addAllDefinition(e.definition().lines()).build();
    }
}
