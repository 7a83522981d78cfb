package dev.jdm.drivers.audit;

import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.DriverModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.Param;
import dev.jdm.abi.sec.Decision;
import dev.jdm.abi.sec.LogSink;
import dev.jdm.abi.sec.ModuleVote;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.TaskCred;
import java.time.Instant;

/**
 * The audit trail: never votes, and appends one JSON object per decision (time, hook, task
 * credentials, object, every module's vote, verdict) to a log file the host grants and rotates by
 * size.
 */
@DriverModule(name = "audit", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Records every security decision with every module's vote as one JSON line; never denies")
@Param(name = "log", defaultValue = "audit", description = "log name: <state-dir>/security/audit/<log>.log")
@Param(name = "max_bytes", type = Param.Type.LONG, defaultValue = "1M", description = "rotate when the file would exceed this")
@Param(name = "keep", type = Param.Type.LONG, defaultValue = "3", description = "rotated files kept")
@Param(name = "io", defaultValue = "denied", description = "per-request hooks (blk_io, chr_call): all, denied or none")
public final class Audit implements LoadableModule {
    public Audit(ModuleContext ctx) {
        long keep = ctx.params().longValue("keep");
        if (keep < 0 || keep > 100) {
            throw new IllegalArgumentException("keep must be 0..100, got " + keep);
        }
        LogSink sink = ctx.security().openLog(ctx.params().string("log"), ctx.params().longValue("max_bytes"), (int) keep);
        String io = ctx.params().string("io");
        if (!java.util.List.of("all", "denied", "none").contains(io)) {
            throw new IllegalArgumentException("io must be all, denied or none, got " + io);
        }
        ctx.security().register(new Recorder(sink, io));
    }

    @Override
    public void close() {}

    /** Writes decisions; its own vote is always "no opinion". */
    static final class Recorder implements SecurityModule {
        /** Hooks that run once per I/O request: a line for each would cost more than the I/O. */
        private static final java.util.Set<String> PER_REQUEST = java.util.Set.of("blk_io", "chr_call");

        private final LogSink sink;
        private final String io;

        Recorder(LogSink sink, String io) {
            this.sink = sink;
            this.io = io;
        }

        @Override
        public boolean wantsDecision(String hook, boolean allowed) {
            return !PER_REQUEST.contains(hook) || io.equals("all") || io.equals("denied") && !allowed;
        }

        @Override
        public void decision(Decision d) {
            sink.append(json(d));
        }

        static String json(Decision d) {
            TaskCred t = d.task();
            StringBuilder b = new StringBuilder(256);
            b.append("{\"time\":\"").append(Instant.ofEpochMilli(d.timeMillis())).append('"');
            b.append(",\"hook\":").append(str(d.hook()));
            b.append(",\"task\":{\"id\":").append(t.taskId()).append(",\"uid\":").append(t.uid()).append(",\"gid\":").append(t.gid())
                    .append(",\"pid\":").append(t.pid()).append(",\"program\":").append(str(t.program())).append('}');
            b.append(",\"object\":").append(str(d.object()));
            b.append(",\"votes\":[");
            for (int i = 0; i < d.votes().size(); i++) {
                ModuleVote v = d.votes().get(i);
                b.append(i == 0 ? "" : ",").append("{\"module\":").append(str(v.module())).append(",\"mode\":")
                        .append(str(v.permissive() ? "permissive" : "enforcing")).append(",\"vote\":")
                        .append(str(v.vote().kind().name().toLowerCase()));
                if (v.vote().reason() != null) {
                    b.append(",\"errno\":").append(v.vote().errno()).append(",\"reason\":").append(str(v.vote().reason()));
                }
                b.append('}');
            }
            b.append("],\"verdict\":").append(str(d.allowed() ? "allow" : "deny"));
            if (!d.allowed()) {
                b.append(",\"errno\":").append(str(d.errno())).append(",\"by\":").append(str(d.decidedBy())).append(",\"reason\":")
                        .append(str(d.reason()));
            }
            return b.append('}').toString();
        }

        /** A JSON string literal (RFC 8259 section 7). */
        static String str(String s) {
            StringBuilder b = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
