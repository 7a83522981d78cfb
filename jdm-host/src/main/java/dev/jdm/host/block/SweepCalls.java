package dev.jdm.host.block;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.host.HostException.Code;
import dev.jdm.host.gate.Frames;
import dev.jdm.host.gate.proto.SweepCloseReply;
import dev.jdm.host.gate.proto.SweepIoCall;
import dev.jdm.host.gate.proto.SweepIoReply;
import dev.jdm.host.gate.proto.SweepOpenReply;
import dev.jdm.host.task.Task;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call gate's sweep calls: LUs a task opens for {@code jdm sweep} (holder {@value #HOLDER}),
 * I/O on them, and closing. Handles belong to the task that opened them, so one connection can
 * neither use nor close another's, and {@link #closeAll} drops them when the connection ends.
 */
public final class SweepCalls {
    /** The holder name a sweeping task's open shows in {@code jdm blk ls}. */
    public static final String HOLDER = "sweep";
    /** Most bytes one I/O call moves: a quarter of a gate frame, leaving room for the envelope. */
    public static final int MAX_IO = Frames.MAX_FRAME / 4;

    /** How the host opens an LU as a task ({@code Host.openLu}: dev_open now, blk_io per request). */
    @FunctionalInterface
    public interface Opener {
        LuHandle open(Task task, String name, String holder, boolean write);
    }

    private record Open(LuHandle handle, boolean write) {}

    private final Opener opener;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Map<Long, Open>> byTask = new ConcurrentHashMap<>();

    public SweepCalls(Opener opener) {
        this.opener = opener;
    }

    /**
     * Opens {@code name} for {@code task}.
     *
     * @throws HostException ENOENT for an unknown LU, EACCES or EPERM if the security stack refuses
     */
    public SweepOpenReply open(Task task, String name, boolean write) {
        if (name.isEmpty()) {
            throw new HostException(Code.EINVAL, "sweep open: no LU named");
        }
        LuHandle h = opener.open(task, name, HOLDER, write);
        long id = nextId.getAndIncrement();
        byTask.computeIfAbsent(task.id(), k -> new ConcurrentHashMap<>()).put(id, new Open(h, write));
        return SweepOpenReply.newBuilder().setHandle(id).setLu(BlockCalls.lu(h.info())).build();
    }

    /** One request on a handle; the device's status is in the reply, not an error. */
    public SweepIoReply io(Task task, SweepIoCall c) throws InterruptedException {
        Open o = handle(task, c.getHandle());
        SweepIoReply.Builder r = SweepIoReply.newBuilder();
        int fua = c.getFua() ? BlockRequest.FUA : 0;
        int st;
        switch (c.getOp()) {
            case READ -> {
                int len = length(c.getLength(), "read");
                byte[] data = new byte[len];
                st = o.handle().read(c.getOffset(), MemorySegment.ofArray(data));
                if (st == BlockStatus.OK) {
                    r.setData(UnsafeByteOperations.unsafeWrap(data)); // ours alone from here on: no copy
                }
            }
            case WRITE -> {
                if (!o.write()) {
                    return refused(r, "EBADF", o.handle().name() + ": handle " + c.getHandle() + " was opened read-only");
                }
                ByteString data = c.getData();
                length(data.size(), "write");
                st = o.handle().write(c.getOffset(), MemorySegment.ofBuffer(data.asReadOnlyByteBuffer()), fua);
            }
            case WRITE_ZEROES -> {
                if (!o.write()) {
                    return refused(r, "EBADF", o.handle().name() + ": handle " + c.getHandle() + " was opened read-only");
                }
                st = o.handle().io(BlockOp.WRITE_ZEROES, c.getOffset(), c.getLength(), fua | BlockRequest.NO_UNMAP, null);
            }
            case FLUSH -> st = o.handle().flush();
            default -> throw new HostException(Code.EINVAL, "sweep io: unknown operation " + c.getOpValue());
        }
        if (st != BlockStatus.OK) {
            String what = c.getOp().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            return refused(r, BlockStatus.name(st), o.handle().name() + ": " + what + " at " + c.getOffset()
                    + (c.getOp() == SweepIoCall.Op.FLUSH ? "" : "+" + Math.max(c.getLength(), c.getData().size())) + " failed: " + BlockStatus.name(st));
        }
        return r.build();
    }

    private static SweepIoReply refused(SweepIoReply.Builder r, String errno, String message) {
        return r.setStatus(errno).setMessage(message).build();
    }

    private static int length(long n, String what) {
        if (n <= 0 || n > MAX_IO) {
            throw new HostException(Code.EINVAL, "sweep io: a " + what + " of " + n + " bytes; each call moves 1.." + MAX_IO);
        }
        return (int) n;
    }

    /** Closes one of the task's handles. */
    public SweepCloseReply close(Task task, long id) {
        Map<Long, Open> mine = byTask.get(task.id());
        Open o = mine == null ? null : mine.remove(id);
        if (o == null) {
            throw new HostException(Code.ENOENT, "sweep close: no handle " + id + " is open on this connection");
        }
        o.handle().close();
        return SweepCloseReply.getDefaultInstance();
    }

    /** Closes every handle of a task that ended (its connection went away). */
    public void closeAll(Task task) {
        Map<Long, Open> mine = byTask.remove(task.id());
        if (mine != null) {
            List.copyOf(mine.values()).forEach(o -> o.handle().close());
        }
    }

    /** Closes every handle (the host is stopping): they pin their drivers' modules. */
    public void closeEverything() {
        List.copyOf(byTask.keySet()).forEach(id -> {
            Map<Long, Open> mine = byTask.remove(id);
            if (mine != null) {
                mine.values().forEach(o -> o.handle().close());
            }
        });
    }

    /** Handles open now, over all tasks (for tests and statistics). */
    public int openCount() {
        return byTask.values().stream().mapToInt(Map::size).sum();
    }

    private Open handle(Task task, long id) {
        Map<Long, Open> mine = byTask.get(task.id());
        Open o = mine == null ? null : mine.get(id);
        if (o == null) {
            throw new HostException(Code.ENOENT, "sweep io: no handle " + id + " is open on this connection");
        }
        return o;
    }
}
