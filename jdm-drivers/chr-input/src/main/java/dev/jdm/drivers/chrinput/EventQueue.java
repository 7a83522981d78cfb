package dev.jdm.drivers.chrinput;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/** A reader's bounded queue; when it is full the oldest events go, as evdev's buffer overruns. */
final class EventQueue {
    private final int capacity;
    private final ArrayDeque<Events.Event> events = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private long dropped;

    EventQueue(int capacity) {
        this.capacity = capacity;
    }

    void add(Events.Event e) {
        lock.lock();
        try {
            if (events.size() == capacity) {
                events.removeFirst();
                dropped++;
            }
            events.addLast(e);
        } finally {
            lock.unlock();
        }
    }

    /** Writes up to {@code max} events into {@code dst}; how many. */
    int drainTo(MemorySegment dst, int max) {
        lock.lock();
        try {
            int n = 0;
            while (n < max && !events.isEmpty()) {
                events.removeFirst().writeTo(dst, (long) n * Events.SIZE);
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return events.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
