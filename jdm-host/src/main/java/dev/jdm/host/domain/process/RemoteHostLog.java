package dev.jdm.host.domain.process;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.HostLog;
import dev.jdm.abi.chr.LogLine;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * The host's log ring as a module in a domain reads it: each read asks the host (HOSTLOG_SINCE);
 * subscribers are told of appends (HOSTLOG_APPENDED), on a pool thread rather than the channel's
 * reader, since a subscriber may read the log at once.
 */
final class RemoteHostLog implements HostLog {
    private final String module;
    private final HostLink host;
    private final Executor runner;
    private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    RemoteHostLog(String module, HostLink host, Executor runner) {
        this.module = module;
        this.host = host;
        this.runner = runner;
    }

    @Override
    public long nextSeq() {
        return read(0, 0).next();
    }

    @Override
    public List<LogLine> since(long seq, int max) {
        return read(seq, Math.max(max, 0)).lines();
    }

    private record Answer(long next, List<LogLine> lines) {}

    private Answer read(long seq, int max) {
        try {
            DomainProtocol.Reader in = host.ask(DomainProtocol.HOSTLOG_SINCE, w -> w.name(module).l(seq).i(max));
            long next = in.l("next seq");
            int n = in.i("count", 0, Math.max(max, 0));
            List<LogLine> lines = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long s = in.l("seq");
                long micros = in.l("micros");
                LogLevel level = LogLevel.values()[in.i("level", 0, LogLevel.values().length - 1)];
                lines.add(new LogLine(s, micros, level, in.message("source"), in.message("message")));
            }
            in.end();
            return new Answer(next, List.copyOf(lines));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(module + ": interrupted while reading the host log");
        } catch (ControlChannelException e) {
            throw new IllegalStateException(module + ": the host log's answer: " + e.getMessage());
        }
    }

    @Override
    public void subscribe(Runnable onAppend) {
        if (closed) {
            return;
        }
        boolean first = subscribers.isEmpty();
        subscribers.add(onAppend);
        if (first) {
            host.send(DomainProtocol.HOSTLOG_SUBSCRIBE, new DomainProtocol.Writer().name(module).bytes());
        }
    }

    void appended() {
        if (!closed && !subscribers.isEmpty()) {
            runner.execute(() -> subscribers.forEach(r -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    host.log(module, LogLevel.WARNING, "a host log subscriber failed: " + e);
                }
            }));
        }
    }

    void close() {
        closed = true;
        subscribers.clear();
    }
}
