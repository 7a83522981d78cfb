package dev.jdm.host.security;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.sec.Decision;
import dev.jdm.abi.sec.ModuleVote;
import dev.jdm.abi.sec.Vote;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The check path: walks a task's security array, finds each module through its Order:ID in the
 * published snapshot (fixing stale Orders), asks it, and keeps the deny of highest precedence.
 * No locks, no shared writes except the task's own Order corrections; allocation only on a deny
 * or when a module observes decisions.
 */
final class Evaluator {
    private final Watchdog watchdog;
    private final BiConsumer<LogLevel, String> log;

    Evaluator(Watchdog watchdog, BiConsumer<LogLevel, String> log) {
        this.watchdog = watchdog;
        this.log = log;
    }

    /** Evaluates one hook; null means allowed. */
    Denial evaluate(Snapshot snapshot, TaskArray task, Hook hook, Object args) {
        int[] oids = task.orderIds;
        int n = oids.length;
        if (n == 0) {
            return null;
        }
        StackedModule[] slots = snapshot.slots;
        Watchdog.CallSlot slot = watchdog.slot();
        Vote[] votes = task.observers ? new Vote[n] : null;
        StackedModule[] who = task.observers ? new StackedModule[n] : null;
        Denial worst = null;
        for (int i = 0; i < n; i++) {
            int oid = oids[i];
            int order = OrderId.order(oid);
            StackedModule m;
            if (order >= slots.length || (m = slots[order]).id != OrderId.id(oid)) {
                m = fixup(oids, i, oid, slots);
                if (m == null) {
                    continue; // gone: only after a failed init or at host stop, never while it enforces
                }
            }
            String failure = m.failure;
            Vote v = null;
            if (failure == null) {
                watchdog.begin(slot, m, hook);
                try {
                    v = hook.call(m.impl, task.cred, task.data[i], args);
                } catch (Throwable t) {
                    failure = "hook " + hook.abiName() + " threw " + t;
                } finally {
                    watchdog.end(slot);
                }
                if (m.failure != null) {
                    failure = m.failure;
                    Thread.interrupted(); // the watchdog's interrupt was for the hook, not for our caller
                } else if (failure == null && v != Vote.ALLOW && v != Vote.NO_OPINION) {
                    failure = nonsense(v); // the shared constants are well formed; anything else is checked
                }
            }
            if (failure != null) {
                logFailure(m, failure);
                v = new Vote(Vote.Kind.DENY, Vote.EACCES, m.name + " failed: " + failure + " (fail closed)");
            }
            if (votes != null) {
                votes[i] = v;
                who[i] = m;
            }
            if (v.kind() == Vote.Kind.DENY && !m.permissive) {
                Denial d = new Denial(v.errno(), m.name, v.reason(), failure != null);
                if (d.outranks(worst)) {
                    worst = d;
                }
            }
        }
        if (votes != null) {
            notifyObservers(hook, task, args, votes, who, worst);
        }
        return worst;
    }

    /**
     * The slow path: the module at the cached Order is not the one with this ID (modules were
     * removed and the array compacted). Scan for the ID and correct the task's Order; a racing
     * correction by another thread writes the same value, and a lost one means a rescan next time.
     */
    static StackedModule fixup(int[] oids, int i, int oid, StackedModule[] slots) {
        int id = OrderId.id(oid);
        for (int j = 0; j < slots.length; j++) {
            if (slots[j].id == id) {
                oids[i] = OrderId.of(j, id);
                return slots[j];
            }
        }
        return null;
    }

    /** Why a vote is nonsense, or null if it is well formed. */
    static String nonsense(Vote v) {
        if (v == null) {
            return "hook returned null";
        }
        if (v.kind() == null) {
            return "hook returned a vote without a kind";
        }
        if (v.kind() == Vote.Kind.DENY) {
            if (v.errno() != Vote.EACCES && v.errno() != Vote.EPERM) {
                return "hook denied with errno " + v.errno() + " (only EACCES=13 and EPERM=1 are defined)";
            }
            if (v.reason() == null || v.reason().isBlank() || v.reason().contains("\n")) {
                return "hook denied without a one-line reason";
            }
            return null;
        }
        if (v.errno() != 0 || v.reason() != null) {
            return "hook returned " + v.kind() + " with errno " + v.errno() + " or a reason";
        }
        return null;
    }

    private void logFailure(StackedModule m, String failure) {
        if (!failure.equals(m.lastLogged)) {
            m.lastLogged = failure;
            log.accept(LogLevel.ERR, m.name + ": " + failure + "; counted as a deny (fail closed)");
        }
    }

    private void notifyObservers(Hook hook, TaskArray task, Object args, Vote[] votes, StackedModule[] who, Denial worst) {
        boolean allowed = worst == null;
        boolean[] wants = new boolean[who.length];
        boolean any = false;
        for (int i = 0; i < who.length; i++) {
            StackedModule m = who[i];
            if (m != null && m.observer && m.state != StackedModule.State.GONE) {
                try {
                    wants[i] = m.impl.wantsDecision(hook.abiName(), allowed);
                } catch (Throwable t) {
                    wants[i] = true; // an observer that cannot say is told: it is the audit trail
                    logFailure(m, "wantsDecision() threw " + t);
                }
                any |= wants[i];
            }
        }
        if (!any) {
            return; // nobody records it: do not spend a description on it
        }
        List<ModuleVote> list = new ArrayList<>(votes.length);
        for (int i = 0; i < votes.length; i++) {
            if (who[i] != null) {
                list.add(new ModuleVote(who[i].name, who[i].permissive, votes[i]));
            }
        }
        list.sort(Comparator.comparing(ModuleVote::module));
        Decision d = new Decision(System.currentTimeMillis(), hook.abiName(), task.cred, hook.describe(args), args, List.copyOf(list),
                allowed, allowed ? "" : worst.errnoName(), allowed ? "" : worst.module(), allowed ? "" : worst.reason());
        for (int i = 0; i < who.length; i++) {
            StackedModule m = who[i];
            if (wants[i]) {
                try {
                    m.impl.decision(d);
                } catch (Throwable t) {
                    logFailure(m, "decision() threw " + t);
                }
            }
        }
    }
}
