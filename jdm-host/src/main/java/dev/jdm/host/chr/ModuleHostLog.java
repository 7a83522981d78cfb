package dev.jdm.host.chr;

import dev.jdm.abi.chr.HostLog;
import dev.jdm.abi.chr.LogLine;
import dev.jdm.host.log.LogRecord;
import dev.jdm.host.log.LogRing;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The log ring as one module reads it; its subscriptions end when the module goes. */
final class ModuleHostLog implements HostLog {
    private final LogRing ring;
    private final List<Runnable> subscribed = new CopyOnWriteArrayList<>();

    ModuleHostLog(LogRing ring) {
        this.ring = ring;
    }

    @Override
    public long nextSeq() {
        return ring.nextSeq();
    }

    @Override
    public List<LogLine> since(long seq, int max) {
        List<LogRecord> all = ring.since(seq);
        return all.subList(0, Math.min(Math.max(max, 0), all.size())).stream()
                .map(r -> new LogLine(r.seq(), r.monotonicNanos() / 1000, r.level(), r.source(), r.message())).toList();
    }

    @Override
    public void subscribe(Runnable onAppend) {
        subscribed.add(onAppend);
        ring.listen(onAppend);
    }

    void close() {
        subscribed.forEach(ring::unlisten);
        subscribed.clear();
    }
}
