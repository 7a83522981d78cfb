package dev.jdm.host.domain;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.Log;
import dev.jdm.abi.LogLevel;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.Grants;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.channel.UnixSocket;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.ExitStatus;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.isolation.transport.RingTransport;
import dev.jdm.symvers.JarContents;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One domain as the host sees it: the modules placed in it, the LUs they registered, and the
 * process that serves them now. Everything the domain sends is checked ({@link DomainProtocol.Reader});
 * a malformed frame or ring kills the domain.
 *
 * <p>The domain outlives its process. When the process dies (any exit or signal, seen through its
 * pidfd) or hangs ({@link Heartbeat}), the {@link Reincarnation} starts another, reloads the modules
 * with the same parameters and grants, and re-binds their LUs to the same host LUs, whose requests
 * wait meanwhile and are then replayed ({@link RingLuDriver}). Beyond the {@link RestartPolicy}, or
 * for a module loaded with {@code recovery=fail}, the domain fails instead: its LUs fail with EIO.
 */
public final class Domain implements AutoCloseable {
    /** Ring geometry per LU: 64 requests in flight, one 256 KiB buffer each. */
    static final RegionLayout LAYOUT = new RegionLayout(64, 64, 256 * 1024);

    private final String name;
    private final Supplier<DomainProcess> launcher;
    private final java.util.function.Consumer<Placed> loaded;
    private final LogRing log;
    private final DomainSettings settings;
    private final RestartPolicy policy;
    private final Map<String, Placed> modules = new ConcurrentHashMap<>();
    /** Modules whose first load finished: what a restart reloads. */
    private final java.util.Set<String> live = ConcurrentHashMap.newKeySet();
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<String, Lu> lus = new ConcurrentHashMap<>();
    /** Files granted to the domain's modules, by the handle the domain closes them with. */
    private final Map<Long, Granted> grants = new ConcurrentHashMap<>();
    private final AtomicLong grantHandles = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();
    private final AtomicInteger restarts = new AtomicInteger();
    private final List<Long> recoveryNanos = new CopyOnWriteArrayList<>();
    private final Heartbeat heartbeat;
    private volatile DomainProcess process;
    private volatile DomainState state = DomainState.RUNNING;
    private volatile ExitStatus exit;
    private volatile String hangReason;
    private volatile boolean manual;
    /** When a frame last arrived from the current process (a heartbeat's answer or anything else). */
    private volatile long heardNanos;
    private volatile boolean answered;
    /** LU names re-bound by the current recovery. */
    private final java.util.Set<String> rebound = ConcurrentHashMap.newKeySet();

    private record Reply(int errno, String message) {}

    /** A module placed here, with what reloading it after a crash needs: its record and its JAR. */
    record Placed(ModuleSite site, JarContents jar, long order) {}

    private record Lu(String module, BlockDevice device, RingLuDriver driver, long size, int lbs, int pbs, int caps) {}

    private record Granted(String module, GrantedFile file) {}

    /**
     * @param launcher starts (or hands over a standby) process for this domain
     * @param loaded told of each module loaded (so that the standby prepares it)
     */
    Domain(String name, Supplier<DomainProcess> launcher, java.util.function.Consumer<Placed> loaded, LogRing log, DomainSettings settings) {
        this.name = name;
        this.launcher = launcher;
        this.loaded = loaded;
        this.log = log;
        this.settings = settings;
        this.policy = new RestartPolicy(settings.restartLimit(), settings.restartWindowMs());
        adopt(launcher.get());
        this.heartbeat = new Heartbeat(this, settings);
    }

    public String name() {
        return name;
    }

    /** The current process's pid (the last one's once failed or stopped). */
    public long pid() {
        return process.pid();
    }

    /** The current process's uid. */
    public int uid() {
        return process.uid();
    }

    public DomainState state() {
        return state;
    }

    /** True while its current process runs and serves. */
    public boolean alive() {
        return state == DomainState.RUNNING && process.isAlive();
    }

    /** How its last process ended, or null while the first one runs. */
    public ExitStatus exitStatus() {
        return exit;
    }

    /** The modules placed in it, in load order. */
    public List<String> modules() {
        return placed().stream().map(p -> p.site().name()).toList();
    }

    /** The LUs its modules registered. */
    public List<String> lus() {
        return lus.keySet().stream().sorted().toList();
    }

    /** Restarts so far (after crashes, hangs and by hand). */
    public int restarts() {
        return restarts.get();
    }

    /** Per recovery with requests in flight: nanoseconds from the crash to the first replayed request's completion. */
    public List<Long> recoveryNanos() {
        return List.copyOf(recoveryNanos);
    }

    /** Kills the process (SIGKILL), as a crash would. */
    public void kill() {
        process.kill();
    }

    /**
     * Restarts the domain by hand ({@code jdm domain restart}): kills a running process, or starts a
     * failed domain again; either way its modules reload and its LUs' requests are replayed. The
     * restart budget starts afresh.
     *
     * @throws HostException EBUSY while a restart is under way, ESHUTDOWN once stopped
     */
    public synchronized void restart() {
        switch (state) {
            case RECOVERING -> throw new HostException(Errno.EBUSY, "domain " + name + " is restarting already");
            case STOPPED -> throw new HostException(Errno.ESHUTDOWN, "domain " + name + " is stopped");
            case FAILED -> {
                policy.reset();
                lus.values().forEach(lu -> lu.driver.suspend(System.nanoTime()));
                state = DomainState.RECOVERING;
                Reincarnation.start(this, System.nanoTime(), "restart by hand");
            }
            case RUNNING -> {
                policy.reset();
                manual = true;
                log.append(LogLevel.NOTICE, "domain", name + ": restart by hand; killing pid " + process.pid());
                process.kill();
            }
        }
    }

    /** Runs the module's init in the domain; the handle's close runs its exit there. */
    LoadableModule load(ModuleSite site, JarContents jar) {
        String module = site.name();
        Placed placed = new Placed(site, jar, loads.incrementAndGet());
        if (modules.putIfAbsent(module, placed) != null) {
            throw new HostException(Errno.EEXIST, module + ": already in domain " + name);
        }
        try {
            loadRemote(placed);
            live.add(module);
            log.append(LogLevel.INFO, "domain", name + ": " + module + " running in pid " + process.pid());
            loaded.accept(placed);
            return () -> unload(module);
        } catch (RuntimeException e) {
            modules.remove(module);
            throw e;
        }
    }

    /** Sends LOAD with the module's JAR and parameters and waits for LOADED: at first, and again after each restart. */
    void loadRemote(Placed placed) {
        String module = placed.site().name();
        try {
            byte[] bytes = jarBytes(placed.jar());
            Reply r;
            try (SharedRegion jarFile = jarFile(module, bytes)) {
                r = call("load " + module, DomainProtocol.LOAD, loadPayload(placed, bytes), jarFile.fd());
            }
            if (r.errno() != 0) {
                throw new HostException(Errno.ofNumber(r.errno()).orElse(Errno.EIO), r.message());
            }
        } catch (IOException e) {
            throw new HostException(Errno.EIO, module + ": domain " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Has a standby process link and define {@code placed} now (PREPARE: the same payload as LOAD, no
     * init), and waits for its PREPARED, so that a restart's LOAD finds the module ready: linking and
     * loading a module's classes in a cold JVM takes a second or more, most of a restart without it.
     * Nothing else reads a standby's channel until it is adopted; the lock on the process keeps two
     * preparations (and the adoption) apart.
     */
    void prepare(DomainProcess standby, Placed placed) {
        String module = placed.site().name();
        try {
            byte[] bytes = jarBytes(placed.jar());
            synchronized (standby) {
                try (SharedRegion jarFile = jarFile(module, bytes)) {
                    standby.channel().send(DomainProtocol.PREPARE, loadPayload(placed, bytes), jarFile.fd());
                }
                Frame f = standby.channel().receive();
                f.closeFds();
                DomainProtocol.Reader in = new DomainProtocol.Reader("PREPARED", f.payload());
                String m = in.name("module");
                int errno = in.i("errno", 0, 4095);
                String message = in.message("message");
                in.end();
                if (f.type() != DomainProtocol.PREPARED || !m.equals(module) || errno != 0) {
                    log.append(LogLevel.WARNING, "domain", name + ": standby pid " + standby.pid() + " did not prepare " + module + ": "
                            + (errno != 0 ? message : "frame type " + f.type() + " for " + m) + "; a restart will link it then");
                }
            }
        } catch (IOException e) {
            log.append(LogLevel.WARNING, "domain", name + ": preparing " + module + " in standby pid " + standby.pid() + ": " + e.getMessage());
        }
    }

    private static SharedRegion jarFile(String module, byte[] bytes) throws IOException {
        SharedRegion jarFile = SharedRegion.create("jdm-jar-" + module, DomainProtocol.pages(bytes.length));
        MemorySegment.copy(bytes, 0, jarFile.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        return jarFile;
    }

    private static byte[] loadPayload(Placed placed, byte[] jar) {
        DomainProtocol.Writer w = new DomainProtocol.Writer().name(placed.site().name()).message(placed.site().request().origin())
                .b(placed.site().request().force());
        Map<String, String> params = placed.site().request().params();
        w.i(params.size());
        params.forEach((k, v) -> w.message(k).message(v));
        return w.l(jar.length).bytes();
    }

    private void unload(String module) {
        if (!alive()) {
            return; // its LUs fail or wait; the host's services clean up the rest
        }
        try {
            Reply r = call("unload " + module, DomainProtocol.UNLOAD, new DomainProtocol.Writer().name(module).bytes());
            if (r.errno() != 0) {
                throw new IllegalStateException(r.message());
            }
        } catch (IOException e) {
            throw new IllegalStateException(module + ": domain " + name + ": " + e.getMessage(), e);
        }
    }

    void forget(String module) {
        live.remove(module);
        modules.remove(module);
        grants.values().removeIf(g -> g.module.equals(module)); // the module's grants service closes them
        lus.values().removeIf(lu -> {
            if (lu.module.equals(module)) {
                lu.driver.close();
                return true;
            }
            return false;
        });
    }

    /**
     * The modules in the order they were loaded: the order a restart reloads them in. A module whose
     * first load has not finished is not among them: if the crash cut that load short, the host
     * refuses the module, and a restart must not bring it back behind the host's back.
     */
    List<Placed> placed() {
        List<Placed> all = new ArrayList<>(modules.values());
        all.removeIf(p -> !live.contains(p.site().name()));
        all.sort(Comparator.comparingLong(Placed::order));
        return all;
    }

    /** Whether {@code p} is still placed here (not unloaded meanwhile). */
    boolean holds(Placed p) {
        return modules.get(p.site().name()) == p;
    }

    /** Whether every module here may be restarted (none was loaded with {@code recovery=fail}). */
    private boolean restartable() {
        return modules.values().stream().allMatch(p -> Placement.restartable(p.site()));
    }

    private Reply call(String what, int type, byte[] payload, int... fds) throws IOException {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        if (pending.putIfAbsent(what, f) != null) {
            throw new HostException(Errno.EBUSY, what + ": already under way in domain " + name);
        }
        try {
            DomainProcess p = process;
            if (!p.isAlive() || state == DomainState.FAILED || state == DomainState.STOPPED) {
                throw new HostException(Errno.EIO, what + ": domain " + name + " is " + state.label() + " (" + exit + ")");
            }
            send(p, type, payload, fds);
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(Errno.EINTR, what + ": interrupted while domain " + name + " worked");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HostException he ? he : new HostException(Errno.EIO, what + ": " + e.getCause());
        } finally {
            pending.remove(what, f);
        }
    }

    private void send(int type, byte[] payload, int... fds) throws IOException {
        send(process, type, payload, fds);
    }

    private void send(DomainProcess p, int type, byte[] payload, int... fds) throws IOException {
        synchronized (p) {
            p.channel().send(type, payload, fds);
        }
    }

    /** Sends a heartbeat; its answer (or any frame) moves {@link #heardNanos}. */
    void ping(long seq) {
        sendQuietly(DomainProtocol.PING, new DomainProtocol.Writer().l(seq).bytes());
    }

    long heardNanos() {
        return heardNanos;
    }

    /** Whether the current process has sent anything yet. */
    boolean answered() {
        return answered;
    }

    /** The largest time one of its LUs has held requests without completing any. */
    String stalledLu(long limitMs) {
        for (var e : lus.entrySet()) {
            long ms = e.getValue().driver.stalledMillis();
            if (ms > limitMs) {
                return "LU " + e.getKey() + " completed nothing for " + ms + " ms while holding requests (domain.io_stall_ms " + limitMs + ")";
            }
        }
        return null;
    }

    /** The heartbeat found it hung: kill it, and let the exit start the restart. */
    synchronized void hung(DomainProcess p, String why) {
        if (p != process || state != DomainState.RUNNING || hangReason != null) {
            return; // killed already: its exit is on the way
        }
        hangReason = why;
        log.append(LogLevel.ERR, "domain", name + ": hung: " + why + "; killing pid " + p.pid());
        p.kill();
    }

    /** The current process, for the heartbeat. */
    DomainProcess process() {
        return process;
    }

    /** Takes {@code p} as the domain's process: its reader, its exit. */
    void adopt(DomainProcess p) {
        synchronized (p) {
            process = p; // after any preparation of it under way: its answer is read there, not by the reader below
        }
        heardNanos = System.nanoTime();
        answered = false;
        rebound.clear();
        Thread.ofPlatform().daemon().name("domain-" + name + "-" + p.pid()).start(() -> read(p));
        p.onExit(s -> died(p, s));
    }

    private void read(DomainProcess p) {
        ControlChannel ch = p.channel();
        try {
            while (true) {
                Frame f = ch.receive();
                heardNanos = System.nanoTime();
                answered = true;
                try {
                    if (p == process) {
                        handle(f);
                    }
                } finally {
                    f.closeFds();
                }
            }
        } catch (EOFException e) {
            // the domain ended; died() reports it
        } catch (ControlChannelException e) {
            fault(p, e.getMessage());
        } catch (IOException e) {
            if (p.isAlive()) {
                fault(p, "control channel: " + e.getMessage());
            }
        }
    }

    private void handle(Frame f) throws ControlChannelException {
        switch (f.type()) {
            case DomainProtocol.LOADED, DomainProtocol.UNLOADED -> {
                boolean loaded = f.type() == DomainProtocol.LOADED;
                DomainProtocol.Reader in = new DomainProtocol.Reader(loaded ? "LOADED" : "UNLOADED", f.payload());
                String module = in.name("module");
                Reply r = new Reply(in.i("errno", 0, 4095), in.message("message"));
                in.end();
                CompletableFuture<Reply> waiting = pending.get((loaded ? "load " : "unload ") + module);
                if (waiting != null) {
                    waiting.complete(r);
                } else if (loaded && r.errno() == 0) {
                    // The host gave up on this load (its init time limit): the domain must not keep it.
                    log.append(LogLevel.WARNING, "domain", name + ": " + module + " loaded after the host gave up; unloading it there");
                    sendQuietly(DomainProtocol.UNLOAD, new DomainProtocol.Writer().name(module).bytes());
                }
            }
            case DomainProtocol.LOG -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("LOG", f.payload());
                ModuleSite s = site(in.name("module"));
                LogLevel level = LogLevel.values()[in.i("level", 0, LogLevel.values().length - 1)];
                String message = in.message("message");
                in.end();
                s.face(Log.class).log(level, message);
            }
            case DomainProtocol.REGISTER_LU -> register(new DomainProtocol.Reader("REGISTER_LU", f.payload()));
            case DomainProtocol.REMOVE_LU -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("REMOVE_LU", f.payload());
                String module = site(in.name("module")).name();
                String luName = in.name("lu");
                in.end();
                Lu lu = lus.get(luName);
                if (lu != null && lu.module.equals(module)) {
                    // Here, not on another thread: the UNLOADED that follows must find the LU gone.
                    // Removal waits for requests in flight, which the ring serves, not this channel.
                    lu.device.remove();
                    lus.remove(luName, lu);
                    lu.driver.close();
                }
            }
            case DomainProtocol.PONG -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("PONG", f.payload());
                in.l("seq");
                in.end(); // its arrival is the answer: heardNanos moved already
            }
            case DomainProtocol.GRANT_FILE -> grant(new DomainProtocol.Reader("GRANT_FILE", f.payload()));
            case DomainProtocol.GRANT_CLOSE -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("GRANT_CLOSE", f.payload());
                String module = site(in.name("module")).name();
                long handle = in.l("handle");
                in.end();
                Granted g = grants.get(handle);
                if (g != null && g.module.equals(module)) {
                    grants.remove(handle);
                    g.file.close();
                }
            }
            case DomainProtocol.BOOT_GUARD -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("BOOT_GUARD", f.payload());
                String module = site(in.name("module")).name();
                String luName = in.name("lu");
                long bytes = in.l("bytes");
                in.end();
                Lu lu = lus.get(luName);
                if (lu != null && lu.module.equals(module) && bytes >= 0) {
                    lu.device.bootGuard(bytes);
                }
            }
            default -> throw new ControlChannelException("frame type " + f.type() + " is not one a domain sends");
        }
    }

    /**
     * A module asks for a granted file: the host opens it through the module's own grants (their
     * checks and log line; closed when the module goes) and passes the descriptor. The domain gets
     * the access the host opened it with, and nothing it could reach by path.
     */
    private void grant(DomainProtocol.Reader in) throws ControlChannelException {
        long id = in.l("id");
        ModuleSite s = site(in.name("module"));
        String param = in.string("param", DomainProtocol.MAX_NAME);
        int flags = in.i("flags");
        in.end();
        DomainProtocol.Writer w = new DomainProtocol.Writer().l(id);
        GrantedFile file;
        try {
            file = s.face(Grants.class).file(param, flags);
        } catch (GrantException e) {
            sendQuietly(DomainProtocol.GRANTED, w.i(e.errno()).message(e.getMessage()).bytes());
            return;
        }
        long handle = grantHandles.incrementAndGet();
        grants.put(handle, new Granted(s.name(), file));
        w.i(0).message("").l(handle).message(file.path()).b(file.readOnly()).b(file.direct()).b(file.blockDevice());
        sendQuietly(DomainProtocol.GRANTED, w.bytes(), GrantDescriptors.descriptor(file));
    }

    private void sendQuietly(int type, byte[] payload, int... fds) {
        try {
            send(type, payload, fds);
        } catch (IOException e) {
            // the domain is gone; its exit is reported
        }
    }

    private ModuleSite site(String module) throws ControlChannelException {
        Placed p = modules.get(module);
        if (p == null) {
            throw new ControlChannelException("module " + module + " is not in domain " + name);
        }
        return p.site();
    }

    /**
     * A module registers an LU: the ring goes to the domain first (the host's registration reads the
     * partition table through it), then the host registers, on a thread of its own, and answers. After
     * a restart the module registers its LUs again: each is re-bound to the host LU it had (same
     * module, name and geometry), which never left the block layer.
     */
    private void register(DomainProtocol.Reader in) throws ControlChannelException {
        long id = in.l("id");
        ModuleSite s = site(in.name("module"));
        String luName = in.name("lu");
        long size = in.l("size");
        int lbs = in.i("logical block size");
        int pbs = in.i("physical block size");
        int caps = in.i("capabilities");
        long guard = in.l("boot guard");
        in.end();
        DomainProcess p = process;
        Thread.ofVirtual().name("domain-register-" + luName).start(() -> {
            Lu known = lus.get(luName);
            if (known != null && known.module.equals(s.name())) {
                rebind(p, id, known, luName, size, lbs, pbs, caps);
                return;
            }
            RingLuDriver driver = null;
            try {
                RingLuDriver.Binding b = bind(p, id);
                driver = new RingLuDriver(luName, b, this::fault, this::replayed);
                if (!p.isAlive()) {
                    driver.die();
                }
                BlockDevice device = s.face(BlockLayer.class).device(luName).size(size).logicalBlockSize(lbs)
                        .physicalBlockSize(pbs).capabilities(caps).bootGuard(guard).registerQueue(driver);
                lus.put(luName, new Lu(s.name(), device, driver, size, lbs, pbs, caps));
                send(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(0).message("").bytes());
            } catch (IOException | RuntimeException e) {
                if (driver != null) {
                    driver.die();
                    driver.close();
                }
                int errno = e instanceof IllegalStateException ? Errno.EEXIST.number() : e instanceof HostException he ? he.code().number()
                        : e instanceof IOException ? Errno.EIO.number() : Errno.EINVAL.number();
                registered(p, id, errno, e.getMessage());
            }
        });
    }

    /** A fresh ring for one LU, sent to the domain on the LU's own channel; the domain gets its end in LU_ATTACHED. */
    private RingLuDriver.Binding bind(DomainProcess p, long id) throws IOException {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.SOCK_SEQPACKET);
        ControlChannel luChannel = new ControlChannel(pair[0]);
        RingTransport.HostEnd end = RingTransport.offer(luChannel, LAYOUT, FdDoorbell.Kind.EVENTFD, 0, RingLuDriver.CHECK_MS);
        try {
            send(p, DomainProtocol.LU_ATTACHED, new DomainProtocol.Writer().l(id).i(0).message("").bytes(), pair[1].fd());
        } finally {
            pair[1].close();
        }
        return new RingLuDriver.Binding(end, luChannel);
    }

    /** The restarted module's LU, served again by the host LU it had; a changed geometry is refused and the LU fails. */
    private void rebind(DomainProcess p, long id, Lu known, String luName, long size, int lbs, int pbs, int caps) {
        if (known.size != size || known.lbs != lbs || known.pbs != pbs || known.caps != caps) {
            String why = known.module + ": LU " + luName + " came back after the restart with another geometry (size " + size
                    + ", blocks " + lbs + "/" + pbs + ", capabilities 0x" + Integer.toHexString(caps) + "; was " + known.size + ", "
                    + known.lbs + "/" + known.pbs + ", 0x" + Integer.toHexString(known.caps) + "); its I/O fails with EIO";
            log.append(LogLevel.ERR, "domain", name + ": " + why);
            known.driver.die();
            registered(p, id, Errno.EINVAL.number(), why);
            return;
        }
        try {
            known.driver.rebind(bind(p, id));
            rebound.add(luName);
            send(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(0).message("").bytes());
        } catch (IOException e) {
            registered(p, id, Errno.EIO.number(), e.getMessage());
        }
    }

    private void registered(DomainProcess p, long id, int errno, String message) {
        try {
            send(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(errno).message(message).bytes());
        } catch (IOException ignored) {
            // the domain is gone; its exit is reported
        }
    }

    /** LUs the modules did not register again after a restart: nothing will serve them, so they fail. */
    List<String> failUnbound() {
        List<String> orphans = new ArrayList<>();
        lus.forEach((n, lu) -> {
            if (!rebound.contains(n)) {
                lu.driver.die();
                orphans.add(n);
            }
        });
        return orphans;
    }

    private void replayed(String lu, int requests, long nanos) {
        recoveryNanos.add(nanos);
        log.append(LogLevel.INFO, "domain", name + ": LU " + lu + ": " + requests + " requests replayed, the first completed "
                + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms after the crash");
    }

    private void fault(String what) {
        fault(process, what);
    }

    private void fault(DomainProcess p, String what) {
        log.append(LogLevel.ERR, "domain", name + ": " + what + "; killing pid " + p.pid());
        p.kill();
    }

    /**
     * A process ended. The current one's death starts a restart if the modules allow it and the
     * budget has room; its LUs' requests wait. Otherwise its LUs fail with EIO. Either way the grants
     * it held are revoked: the restarted modules ask again.
     */
    private synchronized void died(DomainProcess p, ExitStatus status) {
        if (p != process) {
            return;
        }
        long crash = System.nanoTime();
        exit = status;
        grants.values().forEach(g -> g.file.close());
        grants.clear();
        pending.values().forEach(f -> f.completeExceptionally(new HostException(Errno.EIO, "domain " + name + " died: " + status)));
        String why = hangReason != null ? "hung (" + hangReason + ")" : manual ? "restart by hand" : "crashed";
        hangReason = null;
        boolean byHand = manual;
        manual = false;
        if (state == DomainState.STOPPED || state == DomainState.FAILED || modules.isEmpty() && lus.isEmpty()) {
            log.append(LogLevel.INFO, "domain", name + ": pid " + p.pid() + " ended, " + status);
            if (state == DomainState.RUNNING) {
                state = DomainState.FAILED; // nothing to restart; a new module starts a new process
            }
            return;
        }
        String list = lus.isEmpty() ? "" : "; its LUs " + String.join(", ", lus()) + " ";
        if (state == DomainState.RECOVERING) {
            log.append(LogLevel.ERR, "domain", name + ": restarted pid " + p.pid() + " ended too, " + status);
        }
        if (!restartable()) {
            fail("pid " + p.pid() + " " + why + ", " + status + "; not restarted: a module was loaded with recovery=fail" + list + "fail with EIO");
            return;
        }
        if (!byHand && !policy.allow(crash)) {
            fail("pid " + p.pid() + " " + why + ", " + status + "; not restarted: " + policy.refusal() + list + "fail with EIO");
            return;
        }
        log.append(LogLevel.ERR, "domain", name + ": pid " + p.pid() + " " + why + ", " + status + "; restarting" + list + "wait");
        lus.values().forEach(lu -> lu.driver.suspend(crash));
        state = DomainState.RECOVERING;
        Reincarnation.start(this, crash, why);
    }

    /** Gives up: every LU fails with EIO until the domain is restarted by hand or its modules unload. */
    synchronized void fail(String why) {
        state = DomainState.FAILED;
        lus.values().forEach(lu -> lu.driver.die());
        pending.values().forEach(f -> f.completeExceptionally(new HostException(Errno.EIO, "domain " + name + " failed")));
        log.append(LogLevel.ERR, "domain", name + ": " + why);
    }

    /** The restart's new process, unless the host stopped meanwhile. */
    synchronized boolean adoptForRecovery(DomainProcess p) {
        if (state != DomainState.RECOVERING) {
            return false;
        }
        adopt(p);
        return true;
    }

    /** The restart finished: the new process serves every module. */
    synchronized void recovered(long crashNanos) {
        if (state != DomainState.RECOVERING) {
            return;
        }
        heardNanos = System.nanoTime();
        state = DomainState.RUNNING;
        int n = restarts.incrementAndGet();
        log.append(LogLevel.NOTICE, "domain", name + ": recovered in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashNanos)
                + " ms, pid " + process.pid() + ", restart " + n + ", modules " + String.join(", ", modules()));
    }

    Supplier<DomainProcess> launcher() {
        return launcher;
    }

    LogRing log() {
        return log;
    }

    /** The module as a JAR, written from what the host read (classes and META-INF/jdm). */
    static byte[] jarBytes(JarContents jar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : jar.metadata().entrySet()) {
                zip.putNextEntry(new ZipEntry("META-INF/jdm/" + e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            for (var e : jar.classes().entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".class"));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        DomainProcess p;
        synchronized (this) {
            state = DomainState.STOPPED;
            p = process;
        }
        heartbeat.close();
        try {
            p.close();
        } catch (IOException e) {
            // killed anyway
        }
        lus.values().forEach(lu -> lu.driver.close());
    }
}
