package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.host.module.ModuleSite;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A registered node: its attributes, its open files, who holds it exclusively, and the wait queue
 * blocked readers and writers sleep on until the driver calls {@link #wake()}.
 */
final class CharNode implements CharDevice {
    private final CharRegistry registry;
    private final ModuleCharLayer layer;
    private final String name;
    private final int major;
    private final int minor;
    private final int owner;
    private final int group;
    private final int mode;
    private final CharDriver driver;
    private final TypedCalls calls;
    private final Set<OpenFile> files = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private long wakes;
    private OpenFile holder;
    private volatile boolean removed;

    CharNode(CharRegistry registry, ModuleCharLayer layer, String name, int major, int minor, int owner, int group, int mode,
            CharDriver driver, TypedCalls calls) {
        this.registry = registry;
        this.layer = layer;
        this.name = name;
        this.major = major;
        this.minor = minor;
        this.owner = owner;
        this.group = group;
        this.mode = mode;
        this.driver = driver;
        this.calls = calls;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int major() {
        return major;
    }

    @Override
    public int minor() {
        return minor;
    }

    @Override
    public void wake() {
        lock.lock();
        try {
            wakes++;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The wake count now: a waiter reads it before asking its file, so a wake in between is not lost. */
    long wakes() {
        lock.lock();
        try {
            return wakes;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a wake after {@code seen}, removal, or {@code ms}. */
    void await(long seen, long ms) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(ms);
        lock.lock();
        try {
            while (wakes == seen && !removed && left > 0) {
                left = woken.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove() {
        if (removed) {
            return;
        }
        removed = true;
        registry.removed(this);
        layer.removed(this);
        wake();
        List.copyOf(files).forEach(OpenFile::close); // each release runs once, under its file's lock
    }

    boolean isRemoved() {
        return removed;
    }

    /** Reserves the exclusive hold for {@code f}; false if another file holds it. */
    boolean hold(OpenFile f) {
        lock.lock();
        try {
            if (holder != null) {
                return false;
            }
            holder = f;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void added(OpenFile f) {
        files.add(f);
    }

    /** {@code f} is closed: it no longer counts, and its exclusive hold (if any) ends at once. */
    void forget(OpenFile f) {
        files.remove(f);
        lock.lock();
        try {
            if (holder == f) {
                holder = null;
            }
        } finally {
            lock.unlock();
        }
        wake();
    }

    CharRegistry registry() {
        return registry;
    }

    CharDriver driver() {
        return driver;
    }

    ModuleSite module() {
        return layer.site();
    }

    Optional<TypedCalls> calls() {
        return Optional.ofNullable(calls);
    }

    NodeInfo info() {
        boolean held;
        lock.lock();
        try {
            held = holder != null;
        } finally {
            lock.unlock();
        }
        return new NodeInfo(name, major, minor, owner, group, mode, layer.site().name(), files.size(), held, calls != null);
    }
}
