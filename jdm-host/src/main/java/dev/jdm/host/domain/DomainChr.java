package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.ForwardedNodes;
import dev.jdm.host.chr.TypedCalls;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The char nodes a domain's modules registered: real nodes of the host's layer whose driver is a
 * proxy ({@link ForwardedDriver}) that sends each operation to the domain as CHR_OP and waits for
 * its CHR_DONE. Waiting for data stays the host's (the domain answers EAGAIN and wakes the node),
 * and so do the security hooks. When the process dies every operation waiting fails with EIO and
 * the nodes are removed (their open files end, exclusive holds with them); the restarted module
 * registers them again, with the numbers they had.
 */
final class DomainChr implements ChrPeer {
    /** How long an operation waits for the domain: drivers never block, so only a hung domain takes this long. */
    static final long ANSWER_TIMEOUT_MS = 30_000;

    private final Domain domain;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Done>> pending = new ConcurrentHashMap<>();
    /** module/node to its host node. */
    private final Map<String, CharDevice> nodes = new ConcurrentHashMap<>();
    /** module/node to the number it had: a node registered again after a restart gets it back. */
    private final Map<String, long[]> numbers = new ConcurrentHashMap<>();
    private final Map<String, SchemaClasses> schemas = new ConcurrentHashMap<>();
    private final DomainHostLogs logs;
    private volatile DomainProcess serving;

    DomainChr(Domain domain) {
        this.domain = domain;
        this.logs = new DomainHostLogs(domain, () -> serving);
    }

    /** {@code p} serves the nodes from now on. */
    void newProcess(DomainProcess p) {
        logs.newProcess();
        serving = p;
    }

    /** Frames of the char layer and the host log; false if {@code f} is none of them. */
    boolean handle(DomainProcess p, Frame f) throws ControlChannelException {
        switch (f.type()) {
            case DomainProtocol.CHR_REGISTER -> register(p, f);
            case DomainProtocol.CHR_DONE -> done(f);
            case DomainProtocol.CHR_WAKE, DomainProtocol.CHR_REMOVE -> {
                boolean wake = f.type() == DomainProtocol.CHR_WAKE;
                DomainProtocol.Reader in = new DomainProtocol.Reader(wake ? "CHR_WAKE" : "CHR_REMOVE", f.payload());
                String key = key(domain.site(in.name("module")).name(), in.name("node"));
                in.end();
                CharDevice d = wake ? nodes.get(key) : nodes.remove(key);
                if (d != null) {
                    if (wake) {
                        d.wake();
                    } else {
                        numbers.remove(key); // removed by its module: a later node of that name may get any number
                        d.remove();
                    }
                }
            }
            case DomainProtocol.HOSTLOG_SINCE -> logs.since(p, f);
            case DomainProtocol.HOSTLOG_SUBSCRIBE -> logs.subscribe(f);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static String key(String module, String node) {
        return module + "/" + node;
    }

    private void register(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("CHR_REGISTER", f.payload());
        long id = in.l("id");
        ModuleSite site = domain.site(in.name("module"));
        String node = in.name("node");
        int major = in.i("major", -1, 4095);
        int minor = in.i("minor", -1, 0xfffff);
        int owner = in.i("owner", -1, Integer.MAX_VALUE);
        int group = in.i("group", -1, Integer.MAX_VALUE);
        int mode = in.i("mode", -1, 07777);
        String api = in.message("calls");
        in.end();
        String module = site.name();
        String key = key(module, node);
        int errno = 0;
        String message = "";
        CharDevice d = null;
        try {
            TypedCalls calls = api.isEmpty() ? null : TypedCalls.forwarded(node,
                    schemas.computeIfAbsent(module, m -> new SchemaClasses(m, domain.jar(m))).api(node, api),
                    (method, fp, args) -> call(module, node, method, fp, args));
            ForwardedDriver driver = new ForwardedDriver(this, module, node);
            CharLayer layer = site.face(CharLayer.class);
            long[] had = numbers.get(key);
            if (major < 0 && had != null) {
                try {
                    d = ForwardedNodes.register(layer, new ForwardedNodes.Spec(node, (int) had[0], (int) had[1], owner, group, mode), driver, calls);
                } catch (IllegalStateException e) {
                    d = null; // its number was taken meanwhile: any free one
                }
            }
            if (d == null) {
                d = ForwardedNodes.register(layer, new ForwardedNodes.Spec(node, major, minor, owner, group, mode), driver, calls);
            }
            nodes.put(key, d);
            numbers.put(key, new long[] {d.major(), d.minor()});
        } catch (IllegalArgumentException e) {
            errno = Errno.EINVAL.number();
            message = e.getMessage();
        } catch (IllegalStateException e) {
            errno = Errno.EEXIST.number();
            message = e.getMessage();
        } catch (HostException e) {
            errno = e.code().number();
            message = e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            // a call interface whose records name classes the JAR lacks, or a driver-side surprise: refused, the reader lives on
            errno = Errno.EINVAL.number();
            message = node + ": " + e;
        }
        DomainChannel.sendQuietly(p, DomainProtocol.CHR_REGISTERED, new DomainProtocol.Writer().l(id).i(errno).message(message)
                .i(d == null ? -1 : d.major()).i(d == null ? -1 : d.minor()).bytes());
    }

    private void done(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("CHR_DONE", f.payload());
        long id = in.l("id");
        long value = in.l("value");
        String message = in.message("message");
        byte[] data = in.data("data", DomainProtocol.MAX_CHR_DATA);
        in.end();
        CompletableFuture<Done> c = pending.remove(id);
        if (c != null) {
            c.complete(new Done(value, message, data));
        } // else: the operation gave up waiting (timeout, death) already
    }

    /**
     * Sends one operation to the domain and waits for its answer.
     *
     * @throws HostException EIO if no process serves the node, the channel fails, the process dies or does not answer in time
     */
    @Override
    public Done op(String module, String node, int op, long file, long x, long y, long z, String text, String fingerprint, byte[] data) {
        DomainProcess p = serving;
        String what = node + ": " + ChrOps.name(op);
        if (p == null) {
            throw new HostException(Errno.EIO, what + ": domain " + domain.name() + " is " + domain.state().label());
        }
        long id = ids.incrementAndGet();
        CompletableFuture<Done> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            DomainChannel.send(p, DomainProtocol.CHR_OP, new DomainProtocol.Writer().l(id).i(op).name(module).name(node).l(file).l(x).l(y).l(z)
                    .name(text.isEmpty() ? "-" : text).message(fingerprint).data(data, DomainProtocol.MAX_CHR_DATA).bytes());
            if (serving != p) { // it died while we sent: its death may have failed the pending ones before ours was added
                throw new HostException(Errno.EIO, what + ": domain " + domain.name() + " died");
            }
            return f.get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new HostException(Errno.EIO, what + ": domain " + domain.name() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            domain.log().append(LogLevel.ERR, "domain", domain.name() + ": " + what + ": no answer in " + ANSWER_TIMEOUT_MS + " ms; failed with EIO");
            throw new HostException(Errno.EIO, what + ": domain " + domain.name() + " did not answer in " + ANSWER_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HostException h ? h : new HostException(Errno.EIO, what + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(Errno.EINTR, what + ": interrupted");
        } finally {
            pending.remove(id);
        }
    }

    /** Sends an operation that is not answered (RELEASE); nothing if no process serves. */
    @Override
    public void tell(String module, String node, int op, long file) {
        DomainProcess p = serving;
        if (p != null) {
            DomainChannel.sendQuietly(p, DomainProtocol.CHR_OP, new DomainProtocol.Writer().l(0).i(op).name(module).name(node).l(file).l(0).l(0).l(0)
                    .name("-").message("").data(new byte[0], 0).bytes());
        }
    }

    private DevValue call(String module, String node, String method, String fingerprint, DevValue args) {
        byte[] in = args == null ? new byte[0] : args.toByteArray();
        if (in.length > DomainProtocol.MAX_CHR_DATA) {
            throw new HostException(Errno.E2BIG, node + "." + method + ": the arguments are " + in.length + " bytes encoded; a call to a domain carries at most "
                    + DomainProtocol.MAX_CHR_DATA);
        }
        Done d = op(module, node, ChrOps.CALL, 0, args == null ? 0 : 1, 0, 0, method, fingerprint, in);
        long v = status(node + "." + method, d);
        if (v == 0) {
            return null;
        }
        try {
            return DevValue.parseFrom(d.data());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw garbage(node + "." + method, "its result is not a DevValue (" + e.getMessage() + ")");
        }
    }

    /** A request the domain answered with something no driver may give: that request fails with EIO and the log says why. */
    @Override
    public HostException garbage(String what, String why) {
        String m = what + ": domain " + domain.name() + " answered wrongly: " + why + "; failed with EIO";
        domain.log().append(LogLevel.ERR, "domain", domain.name() + ": " + m);
        return new HostException(Errno.EIO, m);
    }

    /**
     * The process died: waiting operations fail with EIO, and the nodes go (their open files with
     * them, and any exclusive hold) until the restarted modules register them again.
     */
    void died(String why) {
        serving = null;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<Done> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new HostException(Errno.EIO, "domain " + domain.name() + " " + why));
            }
        }
        for (String key : List.copyOf(nodes.keySet())) {
            CharDevice d = nodes.remove(key);
            if (d != null) {
                d.remove();
            }
        }
    }

    /** The module left the domain (its host layer removes what it left registered). */
    void forget(String module) {
        nodes.keySet().removeIf(k -> k.startsWith(module + "/"));
        numbers.keySet().removeIf(k -> k.startsWith(module + "/"));
        schemas.remove(module);
        logs.forget(module);
    }
}
