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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One running domain as the host sees it: its process, the reader of its control channel, the
 * modules placed in it and the LUs they registered. Everything the domain sends is checked
 * ({@link DomainProtocol.Reader}); a malformed frame or ring kills the domain.
 */
public final class Domain implements AutoCloseable {
    /** Ring geometry per LU: 64 requests in flight, one 256 KiB buffer each. */
    static final RegionLayout LAYOUT = new RegionLayout(64, 64, 256 * 1024);

    private final String name;
    private final DomainProcess process;
    private final LogRing log;
    private final Map<String, ModuleSite> modules = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final Map<String, Lu> lus = new ConcurrentHashMap<>();
    /** Files granted to the domain's modules, by the handle the domain closes them with. */
    private final Map<Long, Granted> grants = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong grantHandles = new java.util.concurrent.atomic.AtomicLong();
    private final Thread reader;
    private volatile ExitStatus exit;

    private record Reply(int errno, String message) {}

    private record Lu(String module, BlockDevice device, RingLuDriver driver) {}

    private record Granted(String module, GrantedFile file) {}

    Domain(String name, DomainProcess process, LogRing log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reader = Thread.ofPlatform().daemon().name("domain-" + name).start(this::read);
        process.onExit(this::died);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return exit == null && process.isAlive();
    }

    /** How it ended, or null while it runs. */
    public ExitStatus exitStatus() {
        return exit;
    }

    /** The modules placed in it. */
    public List<String> modules() {
        return List.copyOf(modules.keySet());
    }

    /** Kills the process (SIGKILL), as a crash would. */
    public void kill() {
        process.kill();
    }

    /** Runs the module's init in the domain; the handle's close runs its exit there. */
    LoadableModule load(ModuleSite site, JarContents jar) {
        String module = site.name();
        if (modules.putIfAbsent(module, site) != null) {
            throw new HostException(Errno.EEXIST, module + ": already in domain " + name);
        }
        try {
            byte[] bytes = jarBytes(jar);
            DomainProtocol.Writer w = new DomainProtocol.Writer().name(module).message(site.request().origin()).b(site.request().force());
            Map<String, String> params = site.request().params();
            w.i(params.size());
            params.forEach((k, v) -> w.message(k).message(v));
            w.l(bytes.length);
            Reply r;
            try (SharedRegion jarFile = SharedRegion.create("jdm-jar-" + module, DomainProtocol.pages(bytes.length))) {
                MemorySegment.copy(bytes, 0, jarFile.segment(), java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
                r = call("load " + module, DomainProtocol.LOAD, w.bytes(), jarFile.fd());
            }
            if (r.errno() != 0) {
                throw new HostException(Errno.ofNumber(r.errno()).orElse(Errno.EIO), r.message());
            }
            log.append(LogLevel.INFO, "domain", name + ": " + module + " running in pid " + process.pid());
            return () -> unload(module);
        } catch (IOException e) {
            modules.remove(module);
            throw new HostException(Errno.EIO, module + ": domain " + name + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            modules.remove(module);
            throw e;
        }
    }

    private void unload(String module) {
        if (!alive()) {
            return; // its LUs fail already; the host's services clean up the rest
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

    private Reply call(String what, int type, byte[] payload, int... fds) throws IOException {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        if (pending.putIfAbsent(what, f) != null) {
            throw new HostException(Errno.EBUSY, what + ": already under way in domain " + name);
        }
        try {
            if (!alive()) {
                throw new HostException(Errno.EIO, what + ": domain " + name + " is dead (" + exit + ")");
            }
            send(type, payload, fds);
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

    private synchronized void send(int type, byte[] payload, int... fds) throws IOException {
        process.channel().send(type, payload, fds);
    }

    private void read() {
        ControlChannel ch = process.channel();
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
            // the domain ended; died() reports it
        } catch (ControlChannelException e) {
            fault(e.getMessage());
        } catch (IOException e) {
            if (alive()) {
                fault("control channel: " + e.getMessage());
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
        ModuleSite s = modules.get(module);
        if (s == null) {
            throw new ControlChannelException("module " + module + " is not in domain " + name);
        }
        return s;
    }

    /**
     * A module registers an LU: the ring goes to the domain first (the host's registration reads the
     * partition table through it), then the host registers, on a thread of its own, and answers.
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
        Thread.ofVirtual().name("domain-register-" + luName).start(() -> {
            RingLuDriver driver = null;
            try {
                UnixSocket[] pair = UnixSocket.pair(UnixSocket.SOCK_SEQPACKET);
                ControlChannel luChannel = new ControlChannel(pair[0]);
                RingTransport.HostEnd end = RingTransport.offer(luChannel, LAYOUT, FdDoorbell.Kind.EVENTFD, 0, RingLuDriver.CHECK_MS);
                driver = new RingLuDriver(luName, end, luChannel, this::fault);
                try {
                    send(DomainProtocol.LU_ATTACHED, new DomainProtocol.Writer().l(id).i(0).message("").bytes(), pair[1].fd());
                } finally {
                    pair[1].close();
                }
                if (!alive()) {
                    driver.die();
                }
                BlockDevice device = s.face(BlockLayer.class).device(luName).size(size).logicalBlockSize(lbs)
                        .physicalBlockSize(pbs).capabilities(caps).bootGuard(guard).registerQueue(driver);
                lus.put(luName, new Lu(s.name(), device, driver));
                send(DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(0).message("").bytes());
            } catch (IOException | RuntimeException e) {
                if (driver != null) {
                    driver.die();
                    driver.close();
                }
                int errno = e instanceof IllegalStateException ? Errno.EEXIST.number() : e instanceof HostException he ? he.code().number()
                        : e instanceof IOException ? Errno.EIO.number() : Errno.EINVAL.number();
                try {
                    send(DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(errno).message(e.getMessage()).bytes());
                } catch (IOException ignored) {
                    // the domain is gone; its exit is reported
                }
            }
        });
    }

    private void fault(String what) {
        log.append(LogLevel.ERR, "domain", name + ": " + what + "; killing pid " + process.pid());
        process.kill();
    }

    private void died(ExitStatus status) {
        exit = status;
        lus.values().forEach(lu -> lu.driver.die());
        pending.values().forEach(f -> f.completeExceptionally(new HostException(Errno.EIO, "domain " + name + " died: " + status)));
        log.append(modules.isEmpty() ? LogLevel.INFO : LogLevel.ERR, "domain", name + ": pid " + process.pid() + " ended, " + status
                + (lus.isEmpty() ? "" : "; its LUs " + String.join(", ", lus.keySet()) + " fail with EIO"));
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
        try {
            process.close();
        } catch (IOException e) {
            // killed anyway
        }
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lus.values().forEach(lu -> lu.driver.close());
    }
}
