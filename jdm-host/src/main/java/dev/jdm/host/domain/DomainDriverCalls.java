package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.HwLayer;
import dev.jdm.host.hw.HwService;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.process.DomainProcess;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * What the host's proxies for a domain's hardware drivers ({@link DomainHw}, {@link DomainUsb})
 * share: registering a module's driver on its host-side hw() off the reader, calls into the domain
 * that wait for their answer, and the end of it all when the process dies.
 */
final class DomainDriverCalls {
    private final Domain domain;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private volatile DomainProcess serving;

    DomainDriverCalls(Domain domain) {
        this.domain = domain;
    }

    void newProcess(DomainProcess p) {
        serving = p;
    }

    /** Whether a process serves the domain now. */
    boolean serving() {
        return serving != null;
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Registers {@code module}'s driver with {@code how} on its own thread (registering probes, and a
     * probe waits for the domain, which needs the reader), then answers request {@code id} with
     * HW_ANSWER.
     */
    void register(DomainProcess p, long id, ModuleSite site, String what, Consumer<HwLayer> how) {
        String module = site.name();
        Thread.ofVirtual().name("domain-" + what + "-register-" + module).start(() -> {
            int errno = 0;
            String message = "";
            try {
                how.accept(site.face(HwLayer.class));
                registered.add(module);
            } catch (HwException e) {
                errno = e.errno();
                message = e.getMessage();
            } catch (RuntimeException e) {
                errno = HwException.EIO;
                message = module + ": " + e;
            }
            DomainChannel.sendQuietly(p, DomainProtocol.HW_ANSWER, new DomainProtocol.Writer().l(id).i(errno).l(0).message(message).bytes());
        });
    }

    /**
     * Sends {@code frame} (its payload the call's id, then what {@code payload} writes) and waits
     * for its answer: the value, or the errno thrown as an HwException.
     */
    long call(int frame, UnaryOperator<DomainProtocol.Writer> payload, long timeoutMs, String what) {
        DomainProcess p = serving;
        if (p == null) {
            throw new HwException(HwException.ENODEV, "domain " + domain.name() + " is " + domain.state().label());
        }
        long id = ids.incrementAndGet();
        CompletableFuture<Long> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            DomainChannel.send(p, frame, payload.apply(new DomainProtocol.Writer().l(id)).bytes());
            if (serving != p) {
                throw new HwException(HwException.ENODEV, "domain " + domain.name() + " died");
            }
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new HwException(HwException.ENODEV, "domain " + domain.name() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            domain.log().append(LogLevel.ERR, "domain", domain.name() + ": " + what + ": no answer in " + timeoutMs + " ms");
            throw new HwException(HwException.ETIMEDOUT, "domain " + domain.name() + " did not answer in " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HwException h ? h : new HwException(HwException.EIO, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HwException(HwException.EIO, "interrupted");
        } finally {
            pending.remove(id);
        }
    }

    /** The answer to call {@code id}: its value if {@code errno} is 0, else the error. */
    void answered(long id, int errno, long value, String message, String frame) throws ControlChannelException {
        CompletableFuture<Long> c = pending.remove(id);
        if (c == null) {
            throw new ControlChannelException(frame + " answer to call " + id + ", which is not waiting");
        }
        if (errno == 0) {
            c.complete(value);
        } else {
            c.completeExceptionally(new HwException(errno, message.isEmpty() ? "errno " + errno : message));
        }
    }

    /**
     * The process died: waiting calls fail, and each registered module's drivers are unregistered
     * on the host (their bindings go), so the restarted modules register and probe afresh.
     */
    void died(String why) {
        serving = null;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<Long> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(new HwException(HwException.ENODEV, "domain " + domain.name() + " " + why));
            }
        }
        for (String module : List.copyOf(registered)) {
            registered.remove(module);
            try {
                if (domain.site(module).face(HwLayer.class) instanceof HwService.Registrations r) {
                    r.unregisterAll();
                }
            } catch (ControlChannelException | RuntimeException e) {
                domain.log().append(LogLevel.WARNING, "domain", domain.name() + ": " + module + ": unbinding its devices: " + e.getMessage());
            }
        }
    }

    void forget(String module) {
        registered.remove(module);
    }
}
