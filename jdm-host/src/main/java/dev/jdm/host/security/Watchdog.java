package dev.jdm.host.security;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Finds hooks that do not return. A check runs hooks on the caller's thread (a thread hop would
 * cost more than the whole check), and marks each call in a slot of its own thread: two plain
 * stores, no shared counter. A daemon thread ticks a coarse clock and scans the slots; a call
 * older than {@code security.hook_timeout_ms} fails its module (every later vote of it is a
 * deny) and interrupts the stuck thread, whose check then counts the vote as a deny.
 *
 * <p>A hook that ignores interrupts keeps its own caller waiting: the JVM cannot preempt it. Every
 * other task is protected, because the failed module denies from then on.
 */
final class Watchdog implements AutoCloseable {
    private static final long TICK_MS = 5;
    private static final VarHandle MODULE;

    static {
        try {
            MODULE = MethodHandles.lookup().findVarHandle(CallSlot.class, "module", StackedModule.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A thread's current hook call. */
    static final class CallSlot {
        final Thread thread = Thread.currentThread();
        StackedModule module;
        Hook hook;
        long since;
    }

    private final LongSupplier timeoutMs;
    private final BiConsumer<StackedModule, String> onHang;
    private final Queue<WeakReference<CallSlot>> slots = new ConcurrentLinkedQueue<>();
    private final ThreadLocal<CallSlot> mine = ThreadLocal.withInitial(this::newSlot);
    private final long start = System.nanoTime();
    private volatile long now;
    private final Thread thread;
    private volatile boolean closed;

    Watchdog(LongSupplier timeoutMs, BiConsumer<StackedModule, String> onHang) {
        this.timeoutMs = timeoutMs;
        this.onHang = onHang;
        this.thread = Thread.ofPlatform().daemon().name("security-watchdog").start(this::run);
    }

    private CallSlot newSlot() {
        CallSlot s = new CallSlot();
        slots.add(new WeakReference<>(s));
        return s;
    }

    /** This thread's slot. */
    CallSlot slot() {
        return mine.get();
    }

    /** Marks the start of a call: the time first, then (released) the module, so a scan never pairs a module with an older time. */
    void begin(CallSlot s, StackedModule m, Hook hook) {
        s.hook = hook;
        s.since = now;
        MODULE.setRelease(s, m);
    }

    void end(CallSlot s) {
        MODULE.setRelease(s, (StackedModule) null);
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long t = (System.nanoTime() - start) / 1_000_000;
            now = t;
            long limit = timeoutMs.getAsLong();
            for (Iterator<WeakReference<CallSlot>> it = slots.iterator(); it.hasNext(); ) {
                CallSlot s = it.next().get();
                if (s == null || !s.thread.isAlive()) {
                    it.remove();
                    continue;
                }
                StackedModule m = (StackedModule) MODULE.getAcquire(s);
                if (m != null && m.failure == null && t - s.since > limit) {
                    String why = "hook " + s.hook.abiName() + " did not return within " + limit + " ms (security.hook_timeout_ms)";
                    m.failure = why;
                    onHang.accept(m, why);
                    s.thread.interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
