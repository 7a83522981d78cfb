package dev.jdm.host.domain;

import dev.jdm.abi.sec.BlkIo;
import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.ExportConnect;
import dev.jdm.abi.sec.FilePermission;
import dev.jdm.abi.sec.ModuleOp;
import dev.jdm.abi.sec.ResourceGrant;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.abi.sec.TaskCred;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.process.DomainProcess;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Security modules that run in a domain, as the host's security stack sees them: one proxy
 * {@link SecurityModule} per module, registered with the module's own registrar, that asks the
 * domain for each vote (VOTE, answered with VOTED) and waits on the checking thread. Everything that
 * goes wrong is a deny: a domain that is not running, a channel that fails, an answer that does not
 * come. A vote that does not come is also what the host's watchdog sees as a hung hook
 * ({@code security.hook_timeout_ms}): it fails the module, and every later vote of it is a deny, as
 * for a colocated module. The per-task data lives in the domain, by task id.
 *
 * <p>Not forwarded: {@code decision} (audit records stay with colocated modules: wantsDecision
 * answers no) and policies (a module with a policy file fails to register here, rather than run
 * without its policy).
 */
final class DomainSecurity {
    /** The longest a vote waits when no watchdog interrupts it first. */
    private static final long MAX_WAIT_MS = 30_000;

    private final Domain domain;
    private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Vote>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    DomainSecurity(Domain domain) {
        this.domain = domain;
    }

    /**
     * The module in the domain registers its security module: the first time, the proxy is
     * registered with the module's registrar (the stack's checks and its log line); after a restart
     * the proxy stands already, and serves the new process.
     */
    void register(ModuleSite site) {
        proxies.computeIfAbsent(site.name(), m -> {
            Proxy p = new Proxy(m);
            site.face(SecurityRegistrar.class).register(p);
            return p;
        });
    }

    /** VOTED: the domain's answer to vote {@code id}. */
    void answer(long id, Vote vote) {
        CompletableFuture<Vote> f = pending.remove(id);
        if (f != null) {
            f.complete(vote);
        }
    }

    /** The process died: every vote it owed is a deny. */
    void failPending(String why) {
        pending.values().forEach(f -> f.complete(Vote.deny(Vote.EACCES, why)));
        pending.clear();
    }

    /** The module went: its proxy goes with the stack's own record of it. */
    void forget(String module) {
        proxies.remove(module);
    }

    private final class Proxy implements SecurityModule {
        private final String module;

        Proxy(String module) {
            this.module = module;
        }

        private Vote ask(String hook, TaskCred task, Record args) {
            DomainProcess p = domain.process();
            if (!domain.alive()) {
                return Vote.deny(Vote.EACCES, module + ": its domain " + domain.name() + " is " + domain.state().label() + "; denied");
            }
            long id = ids.incrementAndGet();
            CompletableFuture<Vote> f = new CompletableFuture<>();
            pending.put(id, f);
            try {
                DomainProtocol.Writer w = SecurityWire.task(new DomainProtocol.Writer().l(id).name(module).name(hook), task).b(args != null);
                if (args != null) {
                    SecurityWire.record(w, args);
                }
                DomainChannel.send(p, DomainProtocol.VOTE, w.bytes());
                return f.get(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the watchdog: the module is failed; this vote is a deny
                return Vote.deny(Vote.EACCES, module + " in domain " + domain.name() + " did not answer " + hook + "; denied");
            } catch (TimeoutException e) {
                return Vote.deny(Vote.EACCES, module + " in domain " + domain.name() + " did not answer " + hook + " in " + MAX_WAIT_MS + " ms; denied");
            } catch (java.io.IOException | ExecutionException | RuntimeException e) {
                return Vote.deny(Vote.EACCES, module + " in domain " + domain.name() + ": " + hook + ": " + e + "; denied");
            } finally {
                pending.remove(id);
            }
        }

        @Override
        public Vote taskAlloc(TaskCred task) {
            return ask("task_alloc", task, null);
        }

        @Override
        public void taskFree(TaskCred task, Object data) {
            if (domain.alive()) {
                DomainChannel.sendQuietly(domain.process(), DomainProtocol.TASK_FREE,
                        SecurityWire.task(new DomainProtocol.Writer().name(module), task).bytes());
            }
        }

        @Override
        public Vote moduleLoad(TaskCred task, Object data, ModuleOp op) {
            return ask("module_load", task, op);
        }

        @Override
        public Vote moduleUnload(TaskCred task, Object data, ModuleOp op) {
            return ask("module_unload", task, op);
        }

        @Override
        public Vote sysctlWrite(TaskCred task, Object data, SysctlWrite write) {
            return ask("sysctl_write", task, write);
        }

        @Override
        public Vote devOpen(TaskCred task, Object data, DevOpen open) {
            return ask("dev_open", task, open);
        }

        @Override
        public Vote filePermission(TaskCred task, Object data, FilePermission file) {
            return ask("file_permission", task, file);
        }

        @Override
        public Vote blkIo(TaskCred task, Object data, BlkIo io) {
            return ask("blk_io", task, io);
        }

        @Override
        public Vote chrCall(TaskCred task, Object data, ChrCall call) {
            return ask("chr_call", task, call);
        }

        @Override
        public Vote resourceGrant(TaskCred task, Object data, ResourceGrant grant) {
            return ask("resource_grant", task, grant);
        }

        @Override
        public Vote exportConnect(TaskCred task, Object data, ExportConnect connect) {
            return ask("export_connect", task, connect);
        }

        @Override
        public boolean wantsDecision(String hook, boolean allowed) {
            return false;
        }

        @Override
        public void policy(String text) {
            throw new IllegalStateException(module + ": a policy does not reach a security module in an isolated domain yet;"
                    + " load it colocated, or remove its policy file");
        }
    }
}
