package dev.jdm.host.domain;

import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.chr.HostLog;
import dev.jdm.abi.chr.LogLine;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The host log as a domain's modules read it ({@code chr().hostLog()}, for kmsg): records are asked
 * for (HOSTLOG_SINCE, answered from the module's own host-side {@link HostLog}, whose subscriptions
 * end when the module goes), and appends are told (HOSTLOG_APPENDED). A notice is sent once and not
 * again until the module reads, so a busy log costs a domain one frame per read, not per record.
 */
final class DomainHostLogs {
    /** Most records one answer carries; each is at most a few KiB, and the frame 64. */
    private static final int MAX_LINES = 64;
    private static final int BUDGET = DomainProtocol.MAX_CHR_DATA - 4096;

    private final Domain domain;
    private final Supplier<DomainProcess> serving;
    private final Map<String, AtomicBoolean> noticed = new ConcurrentHashMap<>();

    DomainHostLogs(Domain domain, Supplier<DomainProcess> serving) {
        this.domain = domain;
        this.serving = serving;
    }

    void since(DomainProcess p, Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HOSTLOG_SINCE", f.payload());
        long id = in.l("id");
        String module = domain.site(in.name("module")).name();
        long seq = in.l("seq");
        int max = in.i("max", 0, Integer.MAX_VALUE);
        in.end();
        AtomicBoolean n = noticed.get(module);
        if (n != null) {
            n.set(false); // before reading: an append after this is noticed again
        }
        HostLog log = domain.site(module).face(CharLayer.class).hostLog();
        List<LogLine> lines = log.since(seq, Math.min(max, MAX_LINES));
        DomainProtocol.Writer body = new DomainProtocol.Writer();
        int count = 0;
        int bytes = 0;
        for (LogLine l : lines) {
            int size = 24 + l.source().length() * 3 + Math.min(l.message().length() * 3, DomainProtocol.MAX_MESSAGE);
            if (count > 0 && bytes + size > BUDGET) {
                break; // the rest in the next answer
            }
            body.l(l.seq()).l(l.micros()).i(l.level().ordinal()).message(l.source()).message(l.message());
            bytes += size;
            count++;
        }
        byte[] head = new DomainProtocol.Writer().l(id).l(log.nextSeq()).i(count).bytes();
        byte[] rest = body.bytes();
        byte[] payload = java.util.Arrays.copyOf(head, head.length + rest.length);
        System.arraycopy(rest, 0, payload, head.length, rest.length);
        DomainChannel.sendQuietly(p, DomainProtocol.HOSTLOG_LINES, payload);
    }

    /** Subscribes once per module: a restarted module subscribes again, to the same notices. */
    void subscribe(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HOSTLOG_SUBSCRIBE", f.payload());
        String module = domain.site(in.name("module")).name();
        in.end();
        AtomicBoolean flag = new AtomicBoolean();
        if (noticed.putIfAbsent(module, flag) != null) {
            return;
        }
        byte[] notice = new DomainProtocol.Writer().name(module).bytes();
        domain.site(module).face(CharLayer.class).hostLog().subscribe(() -> {
            DomainProcess p = serving.get();
            if (p != null && noticed.get(module) == flag && flag.compareAndSet(false, true)) {
                DomainChannel.sendQuietly(p, DomainProtocol.HOSTLOG_APPENDED, notice);
            }
        });
    }

    /** A new process: notices sent to the old one were never read. */
    void newProcess() {
        noticed.values().forEach(f -> f.set(false));
    }

    void forget(String module) {
        noticed.remove(module); // its host-side log ends its subscription as the module goes
    }
}
