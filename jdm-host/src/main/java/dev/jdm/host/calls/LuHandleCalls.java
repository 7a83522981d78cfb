package dev.jdm.host.calls;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.gate.Frames;
import dev.jdm.gate.proto.BlkCloseReply;
import dev.jdm.gate.proto.BlkIoCall;
import dev.jdm.gate.proto.BlkIoReply;
import dev.jdm.gate.proto.BlkOpenReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call gate's LU handles ({@code blk_open}, {@code blk_io}, {@code blk_close}): LUs a task opens
 * for I/O (jdm sweep is one such client), I/O on them, and closing. Handles belong to the task that
 * opened them, so one connection can neither use nor close another's, and {@link #closeAll} drops
 * them when the connection ends.
 */
public final class LuHandleCalls implements CallHandler {
    /** The holder a handle shows in {@code jdm blk ls} when the client names none (what version 1 sweep clients got). */
    public static final String HOLDER = "sweep";
    /** Most bytes one I/O call moves. */
    public static final int MAX_IO = Frames.MAX_BLK_IO;

    /** How the host opens an LU as a task ({@code Host.openLu}: dev_open now, blk_io per request). */
    @FunctionalInterface
    public interface Opener {
        LuHandle open(Task task, String name, String holder, boolean write);
    }

    private record Open(LuHandle handle, boolean write) {}

    private final Opener opener;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Map<Long, Open>> byTask = new ConcurrentHashMap<>();

    public LuHandleCalls(Opener opener) {
        this.opener = opener;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.BLK_OPEN, 1, Request.CallCase.BLK_IO, 1, Request.CallCase.BLK_CLOSE, 1);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case BLK_OPEN -> r.setBlkOpen(open(task, request.getBlkOpen().getName(), holder(request.getBlkOpen().getHolder()),
                    request.getBlkOpen().getWrite()));
            case BLK_IO -> {
                try {
                    r.setBlkIo(io(task, request.getBlkIo()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HostException(Errno.EIO, "blk io: interrupted (the host is stopping)");
                }
            }
            case BLK_CLOSE -> r.setBlkClose(close(task, request.getBlkClose().getHandle()));
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not an LU handle call");
        }
        out.send(r.build());
    }

    private static String holder(String given) {
        if (given.isEmpty()) {
            return HOLDER;
        }
        if (!given.matches("[a-z][a-z0-9_-]{0,15}")) {
            throw new HostException(Errno.EINVAL, "blk open: holder \"" + given + "\" is not 1-16 of [a-z0-9_-] starting with a letter");
        }
        return given;
    }

    /**
     * Opens {@code name} for {@code task}.
     *
     * @throws HostException ENOENT for an unknown LU, EACCES or EPERM if the security stack refuses
     */
    public BlkOpenReply open(Task task, String name, String holder, boolean write) {
        if (name.isEmpty()) {
            throw new HostException(Errno.EINVAL, "blk open: no LU named");
        }
        LuHandle h = opener.open(task, name, holder, write);
        long id = nextId.getAndIncrement();
        byTask.computeIfAbsent(task.id(), k -> new ConcurrentHashMap<>()).put(id, new Open(h, write));
        return BlkOpenReply.newBuilder().setHandle(id).setLu(BlockCalls.lu(h.info())).build();
    }

    /** One request on a handle; the device's status is in the reply, not an error. */
    public BlkIoReply io(Task task, BlkIoCall c) throws InterruptedException {
        Open o = handle(task, c.getHandle());
        BlkIoReply.Builder r = BlkIoReply.newBuilder();
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
            default -> throw new HostException(Errno.EINVAL, "blk io: unknown operation " + c.getOpValue());
        }
        if (st != BlockStatus.OK) {
            String what = c.getOp().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            return refused(r, BlockStatus.name(st), o.handle().name() + ": " + what + " at " + c.getOffset()
                    + (c.getOp() == BlkIoCall.Op.FLUSH ? "" : "+" + Math.max(c.getLength(), c.getData().size())) + " failed: " + BlockStatus.name(st));
        }
        return r.build();
    }

    private static BlkIoReply refused(BlkIoReply.Builder r, String errno, String message) {
        return r.setStatus(errno).setMessage(message).build();
    }

    private static int length(long n, String what) {
        if (n <= 0 || n > MAX_IO) {
            throw new HostException(Errno.EINVAL, "blk io: a " + what + " of " + n + " bytes; each call moves 1.." + MAX_IO);
        }
        return (int) n;
    }

    /** Closes one of the task's handles. */
    public BlkCloseReply close(Task task, long id) {
        Map<Long, Open> mine = byTask.get(task.id());
        Open o = mine == null ? null : mine.remove(id);
        if (o == null) {
            throw new HostException(Errno.ENOENT, "blk close: no handle " + id + " is open on this connection");
        }
        o.handle().close();
        return BlkCloseReply.getDefaultInstance();
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
            throw new HostException(Errno.ENOENT, "blk io: no handle " + id + " is open on this connection");
        }
        return o;
    }
}
