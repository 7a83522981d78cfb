package dev.jdm.hw.emu.usb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every transfer a device holds, under the device's lock: queued on an endpoint of the current
 * configuration, or decided (its status known) and waiting for its completion to be delivered,
 * which the delay fault puts off. A transfer is in exactly one place until it is taken out to be
 * completed, so whoever takes it completes it, once.
 */
final class TransferBook {
    /** An endpoint of the current configuration: its queue and its Halt feature. */
    static final class Endpoint {
        final ConfigModel.EndpointInfo info;
        final ArrayDeque<Transfer> queue = new ArrayDeque<>();
        boolean halted;

        Endpoint(ConfigModel.EndpointInfo info) {
            this.info = info;
        }
    }

    /** A transfer whose status is decided, to be completed from {@code dueNanos} on. */
    record Decided(Transfer transfer, TransferStatus status, int actualLength, long dueNanos) {
        void deliver() {
            transfer.complete(status, actualLength);
        }
    }

    private final Map<Integer, Endpoint> endpoints = new LinkedHashMap<>();
    private final ArrayList<Decided> decided = new ArrayList<>();

    /** Makes the endpoints of {@code config}, none halted and none with transfers. */
    void configure(ConfigModel config) {
        endpoints.clear();
        for (ConfigModel.EndpointInfo e : config.endpoints()) {
            endpoints.put(e.address(), new Endpoint(e));
        }
    }

    /** The endpoint at {@code address} in the current configuration, or null. */
    Endpoint endpoint(int address) {
        return endpoints.get(address);
    }

    /** Drops every endpoint, deciding what they held with {@code status}. */
    void unconfigure(TransferStatus status, long dueNanos) {
        for (Endpoint e : endpoints.values()) {
            flush(e, status, dueNanos);
        }
        endpoints.clear();
    }

    /** Decides everything queued on {@code e} with {@code status} (a halt, a reset). */
    void flush(Endpoint e, TransferStatus status, long dueNanos) {
        for (Transfer t; (t = e.queue.poll()) != null; ) {
            decide(t, status, t.moved, dueNanos);
        }
    }

    void decide(Transfer t, TransferStatus status, int actualLength, long dueNanos) {
        decided.add(new Decided(t, status, actualLength, dueNanos));
    }

    /** Takes out what is due by {@code now}, in the order it was decided. */
    List<Decided> takeDue(long now) {
        if (decided.isEmpty()) {
            return List.of();
        }
        List<Decided> due = new ArrayList<>();
        for (Iterator<Decided> it = decided.iterator(); it.hasNext(); ) {
            Decided d = it.next();
            if (d.dueNanos() - now <= 0) {
                due.add(d);
                it.remove();
            }
        }
        return due;
    }

    /** When the next decided transfer is due; Long.MAX_VALUE if none is waiting. */
    long nextDue(long now) {
        long next = Long.MAX_VALUE;
        for (Decided d : decided) {
            next = Math.min(next, now + Math.max(0, d.dueNanos() - now));
        }
        return next;
    }

    /** Takes {@code t} out wherever it is; returns the bytes it had moved, or -1 if it is not here. */
    int remove(Transfer t) {
        for (Endpoint e : endpoints.values()) {
            if (e.queue.removeFirstOccurrence(t)) {
                return t.moved;
            }
        }
        for (Iterator<Decided> it = decided.iterator(); it.hasNext(); ) {
            Decided d = it.next();
            if (d.transfer() == t) {
                it.remove();
                return d.actualLength();
            }
        }
        return -1;
    }

    /** Takes out every transfer, queued or decided, to be completed with {@code status}, and drops the endpoints. */
    List<Decided> takeAll(TransferStatus status) {
        List<Decided> all = new ArrayList<>();
        for (Decided d : decided) {
            all.add(new Decided(d.transfer(), status, d.actualLength(), 0));
        }
        decided.clear();
        for (Endpoint e : endpoints.values()) {
            for (Transfer t; (t = e.queue.poll()) != null; ) {
                all.add(new Decided(t, status, t.moved, 0));
            }
        }
        endpoints.clear();
        return all;
    }
}
