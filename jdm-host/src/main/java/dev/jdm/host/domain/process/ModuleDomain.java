package dev.jdm.host.domain.process;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.LogLevel;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.module.ExportTable;
import dev.jdm.host.module.Linker;
import dev.jdm.host.module.ModuleDefinition;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainContext;
import dev.jdm.isolation.process.DomainEntry;
import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The domain's side: runs in the confined domain JVM, receives module JARs from the host, links
 * them with the same {@link Linker} checks against its own export table (built from the same ABI on
 * its class path), defines them in a module class loader and runs their init and exit with a
 * {@link DomainModuleContext}. One thread reads the control channel; init and exit run on threads of
 * their own, so that a module's block registration (which waits for the host's answer) can be read.
 */
public final class ModuleDomain implements DomainEntry {
    private final Map<String, LoadableModule> modules = new ConcurrentHashMap<>();
    private final Map<String, DomainModuleContext> contexts = new ConcurrentHashMap<>();
    /** Modules defined here and running: what a dependent links against. */
    private final Map<String, ModuleDefinition> defined = new ConcurrentHashMap<>();
    private final DomainExports exports = new DomainExports();
    private final Map<String, java.util.concurrent.CompletableFuture<Prepared>> prepared = new ConcurrentHashMap<>();
    private HostLink host;
    private Linker linker;
    private DomainVotes votes;
    private DomainNodes nodes;
    private DomainHwCalls hwCalls;
    private DomainUsbCalls usbCalls;
    /** Where this process's modules run, as their traces say. */
    private String where;

    @Override
    public void run(DomainContext context) throws Exception {
        ControlChannel ch = context.channel();
        where = "isolated:" + (context.args().isEmpty() ? "?" : context.args().get(0)) + ", pid " + ProcessHandle.current().pid();
        host = new HostLink(ch);
        votes = new DomainVotes(host);
        nodes = new DomainNodes(host);
        hwCalls = new DomainHwCalls(host);
        usbCalls = new DomainUsbCalls(host);
        linker = new Linker(new ExportTable(AbiModel.fromClassPath()), m -> { });
        try {
            while (true) {
                Frame f = ch.receive();
                try {
                    handle(f);
                } finally {
                    f.closeFds();
                }
            }
        } catch (EOFException e) {
            // the host closed the channel: end, as HostWatch would
        }
    }

    private void handle(Frame f) throws IOException {
        switch (f.type()) {
            case DomainProtocol.LOAD -> {
                Load l = readLoad("LOAD", f);
                Thread.ofPlatform().name("init-" + l.module()).start(() -> load(l));
            }
            case DomainProtocol.PREPARE -> {
                Load l = readLoad("PREPARE", f);
                java.util.concurrent.CompletableFuture<Prepared> ready = new java.util.concurrent.CompletableFuture<>();
                prepared.put(l.module(), ready); // before the thread: a LOAD right behind waits for it instead of linking twice
                Thread.ofPlatform().name("prepare-" + l.module()).start(() -> prepare(l, ready));
            }
            case DomainProtocol.UNLOAD -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("UNLOAD", f.payload());
                String module = in.name("module");
                in.end();
                Thread.ofPlatform().name("exit-" + module).start(() -> unload(module));
            }
            case DomainProtocol.LU_ATTACHED, DomainProtocol.LU_REGISTERED -> host.answer(f);
            case DomainProtocol.GRANTED -> host.granted(f);
            case DomainProtocol.LSM_REGISTERED -> host.lsmRegistered(f);
            case DomainProtocol.VOTE -> votes.vote(f);
            case DomainProtocol.TASK_FREE -> votes.taskFree(f);
            case DomainProtocol.CHR_OP -> nodes.op(f);
            case DomainProtocol.CHR_REGISTERED -> host.asked(f, "CHR_REGISTERED");
            case DomainProtocol.HOSTLOG_LINES -> host.asked(f, "HOSTLOG_LINES");
            case DomainProtocol.HOSTLOG_APPENDED -> nodes.appended(f);
            case DomainProtocol.HW_ANSWER -> host.asked(f, "HW_ANSWER");
            case DomainProtocol.HW_CALL -> hwCalls.call(f);
            case DomainProtocol.USB_ANSWER -> host.asked(f, "USB_ANSWER");
            case DomainProtocol.USB_CALL -> usbCalls.call(f);
            case DomainProtocol.PING -> {
                // answered here, on the reader: a module's threads never stand between a heartbeat and its answer
                DomainProtocol.Reader in = new DomainProtocol.Reader("PING", f.payload());
                long seq = in.l("seq");
                in.end();
                host.send(DomainProtocol.PONG, new DomainProtocol.Writer().l(seq).bytes());
            }
            default -> throw new ControlChannelException("frame type " + f.type() + " is not one a host sends");
        }
    }

    /**
     * A dependency's definition: a module running here, or (in a standby, which prepares modules in
     * load order) one prepared already.
     */
    private java.util.Optional<ModuleDefinition> definition(String module) {
        ModuleDefinition d = defined.get(module);
        if (d != null) {
            return java.util.Optional.of(d);
        }
        var p = prepared.get(module);
        return p == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(p.join()).map(Prepared::def);
    }

    /** The module's exception, frame by frame, in the host's log under the module. */
    private void trace(String module, Throwable t) {
        dev.jdm.host.module.ModuleTrace.lines(module, where, t).forEach(l -> host.log(module, LogLevel.ERR, l));
    }

    /** A LOAD or PREPARE frame: the module, how it was loaded on the host, and its JAR. */
    private record Load(String module, String origin, boolean force, Map<String, String> params, boolean permissive, int hostUid, long kmemLimit,
            byte[] jar) {
        boolean sameAs(Load o) {
            return module.equals(o.module) && origin.equals(o.origin) && force == o.force && params.equals(o.params)
                    && java.util.Arrays.equals(jar, o.jar);
        }
    }

    /** A module a standby linked and defined ahead of its LOAD, and the frame it came in. */
    private record Prepared(Load load, ModuleDefinition def) {}

    private Load readLoad(String frame, Frame f) throws IOException {
        DomainProtocol.Reader in = new DomainProtocol.Reader(frame, f.payload());
        String module = in.name("module");
        String origin = in.message("origin");
        boolean force = in.b("force");
        int n = in.i("params", 0, DomainProtocol.MAX_PARAMS);
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            params.put(in.message("param name"), in.message("param value"));
        }
        boolean permissive = in.b("permissive");
        int hostUid = in.i("host uid");
        long kmemLimit = in.l("kmem limit");
        long length = in.l("jar length");
        in.end();
        if (f.fds().length != 1 || length < 0 || length > JarContents.MAX_TOTAL_BYTES) {
            throw new ControlChannelException(frame + " frame: expected one JAR descriptor and a length in [0, "
                    + JarContents.MAX_TOTAL_BYTES + "], got " + f.fds().length + " and " + length);
        }
        byte[] jar = new byte[(int) length];
        try (SharedRegion r = SharedRegion.map(f.fds()[0], DomainProtocol.pages(length))) {
            java.lang.foreign.MemorySegment.copy(r.segment(), ValueLayout.JAVA_BYTE, 0, jar, 0, jar.length);
        }
        f.fds()[0] = -1; // the region owned and closed it
        if (kmemLimit < 4096) {
            throw new ControlChannelException(frame + " frame: kmem limit " + kmemLimit + " is below one page");
        }
        return new Load(module, origin, force, params, permissive, hostUid, kmemLimit, jar);
    }

    /** Links and defines, runs nothing: the work a restart's LOAD would otherwise wait for. Failures wait for the LOAD to report them. */
    private void prepare(Load l, java.util.concurrent.CompletableFuture<Prepared> ready) {
        try {
            JarContents jar = JarBytes.read(l.jar(), l.origin());
            ModuleDefinition def = define(l, jar);
            // Loading (not initializing: no module code runs) every class of the module, and the
            // domain-side classes a load and an LU use, moves their class loading and verification
            // out of the restart too.
            for (String c : jar.classes().keySet()) {
                Class.forName(c.replace('/', '.'), false, def.loader());
            }
            for (Class<?> c : List.of(DomainModuleContext.class, RemoteBlockLayer.class, RemoteDevice.class, RemoteGrantedFile.class,
                    DomainLu.class, dev.jdm.isolation.transport.RingTransport.class, dev.jdm.isolation.ring.RingServer.class,
                    dev.jdm.host.grant.GrantDescriptors.class)) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
            linker.exportTable().addModule(def.linked().exports()); // a dependent prepared after it links against them
            ready.complete(new Prepared(l, def));
            host.reply(DomainProtocol.PREPARED, l.module(), 0, "");
        } catch (RuntimeException | LinkageError | ClassNotFoundException e) {
            ready.complete(null);
            host.reply(DomainProtocol.PREPARED, l.module(), e instanceof HostException he ? he.code().number() : Errno.ENOEXEC.number(),
                    l.module() + ": " + e.getMessage());
        }
    }

    private ModuleDefinition define(Load l) {
        return define(l, JarBytes.read(l.jar(), l.origin()));
    }

    private ModuleDefinition define(Load l, JarContents jar) {
        ModuleDefinition def = ModuleDefinition.define(linker, jar, l.origin(), l.params(), l.force(), this::definition);
        if (!def.info().name().equals(l.module())) {
            throw new HostException(Errno.EINVAL, l.module() + ": the JAR is module " + def.info().name());
        }
        return def;
    }

    private void load(Load l) {
        String module = l.module();
        int errno = 0;
        String message = "";
        try {
            if (modules.containsKey(module)) {
                throw new HostException(Errno.EEXIST, module + ": already loaded in this domain");
            }
            var f = prepared.remove(module);
            Prepared p = f == null ? null : f.join();
            ModuleDefinition def = p != null && p.load().sameAs(l) ? p.def() : define(l);
            DomainModuleContext ctx = new DomainModuleContext(module, def, host, new RemoteRegistrar(module, host, votes, l.permissive(), l.hostUid()),
                    exports, nodes, hwCalls, usbCalls, l.kmemLimit());
            contexts.put(module, ctx);
            Class<?> entry = def.loader().loadClass(def.linked().entryClass());
            try {
                modules.put(module, (LoadableModule) entry.getConstructor(ModuleContext.class).newInstance(ctx));
                defined.put(module, def);
                linker.exportTable().addModule(def.linked().exports()); // what a dependent links against
            } catch (InvocationTargetException e) {
                ctx.kill();
                contexts.remove(module);
                Throwable c = e.getCause();
                if (!(c instanceof HostException)) {
                    trace(module, c);
                }
                throw c instanceof HostException he ? he : new HostException(Errno.EINVAL, module + ": init failed: " + c);
            }
        } catch (HostException e) {
            errno = e.code().number();
            message = e.getMessage();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            errno = Errno.ENOEXEC.number();
            message = module + ": cannot instantiate the entry class: " + e;
        }
        host.reply(DomainProtocol.LOADED, module, errno, message);
    }

    private void unload(String module) {
        LoadableModule m = modules.remove(module);
        DomainModuleContext ctx = contexts.remove(module);
        int errno = 0;
        String message = "";
        if (m == null) {
            errno = Errno.ENOENT.number();
            message = module + ": not loaded in this domain";
        } else {
            try {
                m.close();
            } catch (RuntimeException e) {
                host.log(module, LogLevel.ERR, "exit failed: " + e);
                trace(module, e);
            }
            ctx.kill();
            votes.forget(module);
            hwCalls.forget(module);
            usbCalls.forget(module);
            exports.forget(module);
            defined.remove(module);
            linker.exportTable().removeModule(module);
        }
        host.reply(DomainProtocol.UNLOADED, module, errno, message);
    }
}
