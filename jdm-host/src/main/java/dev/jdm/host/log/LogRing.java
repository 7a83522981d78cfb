package dev.jdm.host.log;

import dev.jdm.abi.LogLevel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The host's log ring (printk's buffer): a fixed number of records, oldest overwritten, each with
 * a sequence number so readers can follow it ({@code dmesg -w}) and see what they missed.
 */
public final class LogRing {
    private final LogRecord[] ring;
    private final long startNanos = System.nanoTime();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private final PrintStream console;
    private final IntSupplier consoleLevel;
    private long nextSeq = 1;
    /** Told after each append (the kmsg device wakes its readers); each must only note the fact. */
    private final java.util.List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param capacity records kept
     * @param console where records at or above the console level are echoed, or null
     * @param consoleLevel highest {@link LogLevel} ordinal echoed (printk's console_loglevel - 1)
     */
    public LogRing(int capacity, PrintStream console, IntSupplier consoleLevel) {
        this.ring = new LogRecord[capacity];
        this.console = console;
        this.consoleLevel = consoleLevel;
    }

    /** Appends a record and wakes followers. Messages are cut at 4 KiB and kept to one line. */
    public LogRecord append(LogLevel level, String source, String message) {
        String text = message == null ? "null" : message.replace('\n', ' ');
        if (text.length() > 4096) {
            text = text.substring(0, 4096) + "…";
        }
        LogRecord r;
        lock.lock();
        try {
            r = new LogRecord(nextSeq, System.nanoTime() - startNanos, level, source, text);
            ring[(int) (nextSeq % ring.length)] = r;
            nextSeq++;
            appended.signalAll();
        } finally {
            lock.unlock();
        }
        if (console != null && level.ordinal() <= consoleLevel.getAsInt()) {
            console.println(r.format());
        }
        listeners.forEach(Runnable::run);
        return r;
    }

    /** Records with {@code seq >= fromSeq} still in the ring, oldest first. */
    public List<LogRecord> since(long fromSeq) {
        lock.lock();
        try {
            return collect(fromSeq);
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #since}, but waits up to {@code timeoutMillis} for at least one record. */
    public List<LogRecord> await(long fromSeq, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (nextSeq <= fromSeq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return List.of();
                }
                appended.awaitNanos(left);
            }
            return collect(fromSeq);
        } finally {
            lock.unlock();
        }
    }

    private List<LogRecord> collect(long fromSeq) {
        long first = Math.max(Math.max(fromSeq, 1), nextSeq - ring.length);
        List<LogRecord> out = new ArrayList<>();
        for (long s = first; s < nextSeq; s++) {
            out.add(ring[(int) (s % ring.length)]);
        }
        return out;
    }

    /** Calls {@code onAppend} after every append until {@link #unlisten}. */
    public void listen(Runnable onAppend) {
        listeners.add(onAppend);
    }

    /** Stops calling {@code onAppend}. */
    public void unlisten(Runnable onAppend) {
        listeners.remove(onAppend);
    }

    /** Sequence number the next record will get. */
    public long nextSeq() {
        lock.lock();
        try {
            return nextSeq;
        } finally {
            lock.unlock();
        }
    }
}
