package dev.jdm.host.domain.process;

import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.TypedCalls;
import dev.jdm.host.domain.ChrOps;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The char nodes of this domain's modules and their open files: the host's CHR_OP frames run here,
 * each on a platform thread of a pool (never on the channel's reader, which must stay free to
 * read the answers a driver's host-log read waits for, and never on a virtual thread), and are
 * answered with CHR_DONE. The host calls one operation of a file at a time. A driver that throws
 * fails that operation with EIO, as in the host.
 */
final class DomainNodes {
    /** One registered node. */
    record Node(String module, CharDriver driver, RemoteCharDevice device, TypedCalls calls) {}

    private record Open(Node node, CharFile file) {}

    /** What a driver's open sees. */
    private record DomainOpen(int flags, int uid, int gid, int pid, RemoteCharDevice device) implements CharOpen {}

    private final HostLink host;
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<Long, Open> files = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong();
    private final Map<String, RemoteHostLog> logs = new ConcurrentHashMap<>();
    private final ExecutorService ops = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("chr-op-", 0).factory());

    DomainNodes(HostLink host) {
        this.host = host;
    }

    HostLink host() {
        return host;
    }

    /** Enters a node before the host registers it: the host may open it before its answer arrives here. */
    void add(Node n) {
        if (nodes.putIfAbsent(n.device().name(), n) != null) {
            throw new IllegalStateException("char device " + n.device().name() + " exists already (registered by " + nodes.get(n.device().name()).module() + ")");
        }
    }

    void removed(RemoteCharDevice d) {
        nodes.remove(d.name());
    }

    /** The module's host log, one per module. */
    RemoteHostLog log(String module) {
        return logs.computeIfAbsent(module, m -> new RemoteHostLog(m, host, ops));
    }

    void appended(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("HOSTLOG_APPENDED", f.payload());
        String module = in.name("module");
        in.end();
        RemoteHostLog l = logs.get(module);
        if (l != null) {
            l.appended();
        }
    }

    /** A CHR_OP: read here, run on the pool. */
    void op(Frame f) throws ControlChannelException {
        DomainProtocol.Reader in = new DomainProtocol.Reader("CHR_OP", f.payload());
        long id = in.l("id");
        int op = in.i("op", 1, ChrOps.LAST);
        String module = in.name("module");
        String node = in.name("node");
        long file = in.l("file");
        long x = in.l("x");
        long y = in.l("y");
        long z = in.l("z");
        String text = in.name("text");
        String fingerprint = in.message("fingerprint");
        byte[] data = in.data("data", DomainProtocol.MAX_CHR_DATA);
        in.end();
        if (op == ChrOps.READ && (x < 1 || x > DomainProtocol.MAX_CHR_DATA)) {
            throw new ControlChannelException("CHR_OP frame: a read of " + x + " bytes, expected [1, " + DomainProtocol.MAX_CHR_DATA + "]");
        }
        if (op == ChrOps.RELEASE) {
            // on the reader, in frame order: an operation the host sent after the close (a call that
            // feeds the node's readers) must find the file gone, as it is on the host; a release never blocks
            run(id, op, module, node, file, x, y, z, text, fingerprint, data);
            return;
        }
        ops.execute(() -> run(id, op, module, node, file, x, y, z, text, fingerprint, data));
    }

    private void run(long id, int op, String module, String node, long file, long x, long y, long z, String text, String fingerprint, byte[] data) {
        long value;
        String message = "";
        byte[] out = new byte[0];
        try {
            if (op == ChrOps.OPEN || op == ChrOps.CALL) {
                Node n = nodes.get(node);
                if (n == null || !n.module().equals(module)) {
                    throw new HostException(Errno.ENODEV, node + " is not served in this domain (removed?)");
                }
                if (op == ChrOps.OPEN) {
                    value = open(n, (int) x, (int) y, (int) (z >>> 32), (int) z);
                } else {
                    if (n.calls() == null) {
                        throw new HostException(Errno.ENOTTY, node + " has no typed calls");
                    }
                    DevValue r = n.calls().invoke(text, fingerprint, x == 1 ? DevValue.parseFrom(data) : null);
                    out = r == null ? out : r.toByteArray();
                    if (out.length > DomainProtocol.MAX_CHR_DATA) {
                        throw new HostException(Errno.EIO, node + "." + text + ": the result is " + out.length + " bytes encoded; a domain answers at most "
                                + DomainProtocol.MAX_CHR_DATA);
                    }
                    value = r == null ? 0 : 1;
                }
            } else if (op == ChrOps.RELEASE) {
                Open o = files.remove(file);
                if (o != null) {
                    o.file().release();
                }
                return; // not answered
            } else {
                Open o = files.get(file);
                if (o == null || !o.node().device().name().equals(node)) {
                    throw new HostException(Errno.EBADF, node + ": file " + file + " is not open in this domain");
                }
                CharFile c = o.file();
                switch (op) {
                    case ChrOps.READ -> {
                        byte[] buf = new byte[(int) x];
                        value = c.read(MemorySegment.ofArray(buf));
                        if (value > x) {
                            throw new HostException(Errno.EIO, node + ": the driver's read claims " + value + " bytes of " + x);
                        }
                        out = value > 0 ? Arrays.copyOf(buf, (int) value) : out;
                    }
                    case ChrOps.WRITE -> value = c.write(MemorySegment.ofArray(data).asReadOnly());
                    case ChrOps.POLL -> value = c.poll();
                    case ChrOps.SEEK -> value = c.seek(x, (int) y);
                    case ChrOps.IOCTL -> {
                        out = data.clone();
                        value = c.ioctl((int) x, MemorySegment.ofArray(out));
                    }
                    default -> throw new HostException(Errno.EINVAL, "op " + op);
                }
            }
        } catch (HostException e) {
            value = -e.code().number();
            message = e.getMessage();
            out = new byte[0];
        } catch (CharException e) {
            value = -Math.max(1, Math.min(e.errno(), 4095));
            message = node + ": " + e.getMessage();
            out = new byte[0];
        } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
            value = -Errno.EIO.number();
            message = node + ": " + "op " + op + ": the driver failed: " + e;
            out = new byte[0];
        }
        try {
            host.send(DomainProtocol.CHR_DONE, new DomainProtocol.Writer().l(id).l(value).message(message).data(out, DomainProtocol.MAX_CHR_DATA).bytes());
        } catch (RuntimeException e) {
            // the host is gone; this process ends with its channel
        }
    }

    private long open(Node n, int flags, int uid, int gid, int pid) {
        CharFile f = n.driver().open(new DomainOpen(flags, uid, gid, pid, n.device()));
        if (f == null) {
            throw new HostException(Errno.EIO, n.device().name() + ": the driver's open returned no file");
        }
        long h = handles.incrementAndGet();
        files.put(h, new Open(n, f));
        return h;
    }

    /** The module is gone: its files are released and its nodes forgotten (the host removes its own). */
    void forget(String module) {
        for (Map.Entry<Long, Open> e : List.copyOf(files.entrySet())) {
            if (e.getValue().node().module().equals(module) && files.remove(e.getKey(), e.getValue())) {
                try {
                    e.getValue().file().release();
                } catch (RuntimeException ignored) {
                    // release must not throw; the module is gone anyway
                }
            }
        }
        nodes.values().removeIf(n -> n.module().equals(module));
        RemoteHostLog l = logs.remove(module);
        if (l != null) {
            l.close();
        }
    }
}
