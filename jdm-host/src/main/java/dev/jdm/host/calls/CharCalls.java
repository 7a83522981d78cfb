package dev.jdm.host.calls;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.jdm.errno.Errno;
import dev.jdm.gate.BulkReply;
import dev.jdm.gate.proto.DevCallReply;
import dev.jdm.gate.proto.DevCloseReply;
import dev.jdm.gate.proto.DevDescribeReply;
import dev.jdm.gate.proto.DevIoctlReply;
import dev.jdm.gate.proto.DevLsReply;
import dev.jdm.gate.proto.DevNode;
import dev.jdm.gate.proto.DevOpenReply;
import dev.jdm.gate.proto.DevPollReply;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.DevSeekReply;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.gate.proto.DevWriteReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.CharAccess;
import dev.jdm.host.chr.CharRegistry;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.NodeInfo;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.gate.CallHandler;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The call gate's character devices (gate version 3). Open files belong to the task that opened
 * them: another connection can neither use nor close them, and {@link #closeAll} releases them
 * (exclusive holds included) when the connection ends. A blocking read or poll answers with
 * heartbeats while it waits, so a caller that went away ends it.
 */
public final class CharCalls implements CallHandler {
    private static final int SINCE = 3;
    /** Reads from this size up go through a native buffer to the socket without copies. */
    static final int BULK_READ = 64 << 10;
    private final ReadBuffers buffers = new ReadBuffers();
    private final CharRegistry registry;
    private final Function<Task, CharAccess> access;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, Map<Long, OpenFile>> byTask = new ConcurrentHashMap<>();

    private final Function<String, String> domainOf;

    /** @param domainOf where a module runs ({@code colocated}, {@code isolated:NAME}; empty if unknown), for the node rows */
    public CharCalls(CharRegistry registry, Function<Task, CharAccess> access, Function<String, String> domainOf) {
        this.registry = registry;
        this.access = access;
        this.domainOf = domainOf;
    }

    @Override
    public Map<Request.CallCase, Integer> calls() {
        return Map.of(Request.CallCase.DEV_LS, SINCE, Request.CallCase.DEV_OPEN, SINCE, Request.CallCase.DEV_READ, SINCE,
                Request.CallCase.DEV_WRITE, SINCE, Request.CallCase.DEV_POLL, SINCE, Request.CallCase.DEV_SEEK, SINCE,
                Request.CallCase.DEV_CLOSE, SINCE, Request.CallCase.DEV_CALL, SINCE, Request.CallCase.DEV_IOCTL, SINCE,
                Request.CallCase.DEV_DESCRIBE, SINCE);
    }

    @Override
    public void handle(Task task, Request request, GateServer.Responder out) throws IOException {
        try {
            if (request.hasDevRead() && request.getDevRead().getLength() >= BULK_READ && request.getDevRead().getLength() <= ReadBuffers.SIZE) {
                bulkRead(task, request, out);
                return;
            }
            out.send(answer(task, request, out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException(Errno.EINTR, request.getCallCase().name().toLowerCase() + ": interrupted (the host is stopping)");
        }
    }

    private Response answer(Task task, Request request, GateServer.Responder out) throws IOException, InterruptedException {
        Response.Builder r = Response.newBuilder();
        switch (request.getCallCase()) {
            case DEV_LS -> {
                String name = request.getDevLs().getName();
                List<NodeInfo> nodes = name.isEmpty() ? registry.list()
                        : List.of(registry.find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "no char device " + name)));
                DevLsReply.Builder b = DevLsReply.newBuilder();
                nodes.forEach(n -> b.addNodes(node(n)));
                r.setDevLs(b);
            }
            case DEV_OPEN -> {
                OpenFile f = registry.open(request.getDevOpen().getName(), request.getDevOpen().getFlags(), access.apply(task));
                long id = nextId.getAndIncrement();
                byTask.computeIfAbsent(task.id(), k -> new ConcurrentHashMap<>()).put(id, f);
                r.setDevOpen(DevOpenReply.newBuilder().setHandle(id).setNode(node(f.node())));
            }
            case DEV_READ -> {
                byte[] data = file(task, request.getDevRead().getHandle(), "read").read(request.getDevRead().getLength(),
                        beat(out, Response.newBuilder().setDevRead(DevReadReply.getDefaultInstance())));
                r.setDevRead(DevReadReply.newBuilder().setData(UnsafeByteOperations.unsafeWrap(data)).setEof(data.length == 0));
            }
            case DEV_WRITE -> r.setDevWrite(DevWriteReply.newBuilder().setWritten(file(task, request.getDevWrite().getHandle(), "write")
                    .write(request.getDevWrite().getData().toByteArray(), beat(out, Response.newBuilder().setDevWrite(DevWriteReply.getDefaultInstance())))));
            case DEV_POLL -> r.setDevPoll(DevPollReply.newBuilder().setRevents(file(task, request.getDevPoll().getHandle(), "poll")
                    .poll(request.getDevPoll().getEvents(), request.getDevPoll().getTimeoutMs(),
                            beat(out, Response.newBuilder().setDevPoll(DevPollReply.getDefaultInstance())))));
            case DEV_SEEK -> r.setDevSeek(DevSeekReply.newBuilder().setPosition(file(task, request.getDevSeek().getHandle(), "seek")
                    .seek(request.getDevSeek().getOffset(), request.getDevSeek().getWhence())));
            case DEV_CLOSE -> {
                close(task, request.getDevClose().getHandle());
                r.setDevClose(DevCloseReply.getDefaultInstance());
            }
            case DEV_IOCTL -> {
                OpenFile.IoctlResult x = file(task, request.getDevIoctl().getHandle(), "ioctl").ioctl(request.getDevIoctl().getCmd(),
                        request.getDevIoctl().getArg().toByteArray());
                r.setDevIoctl(DevIoctlReply.newBuilder().setValue(x.value()).setArg(ByteString.copyFrom(x.arg())));
            }
            case DEV_CALL -> {
                var c = request.getDevCall();
                DevValue result = registry.call(c.getNode(), c.getMethod(), c.getFingerprint(), c.hasArgs() ? c.getArgs() : null, access.apply(task));
                DevCallReply.Builder b = DevCallReply.newBuilder();
                if (result != null) {
                    b.setResult(result);
                }
                r.setDevCall(b);
            }
            case DEV_DESCRIBE -> {
                String name = request.getDevDescribe().getNode();
                NodeInfo n = registry.find(name).orElseThrow(() -> new HostException(Errno.ENOENT, "no char device " + name));
                DevDescribeReply.Builder b = DevDescribeReply.newBuilder().setNode(node(n));
                registry.calls(name).ifPresent(c -> b.setSchema(c.schema()));
                r.setDevDescribe(b);
            }
            default -> throw new IllegalArgumentException(request.getCallCase() + " is not a char device call");
        }
        return r.build();
    }

    /**
     * A read of {@link #BULK_READ} bytes or more: the driver fills a native buffer, which goes to the
     * socket after the encoded fields that lead to {@code dev_read.data} (see
     * {@link GateServer.Responder#send(Response, ByteBuffer, ByteBuffer)}).
     */
    private void bulkRead(Task task, Request request, GateServer.Responder out) throws IOException, InterruptedException {
        OpenFile f = file(task, request.getDevRead().getHandle(), "read");
        MemorySegment buf = buffers.of(task.id());
        long n = f.read(buf.asSlice(0, request.getDevRead().getLength()),
                beat(out, Response.newBuilder().setDevRead(DevReadReply.getDefaultInstance())));
        if (n == 0) {
            out.send(Response.newBuilder().setDevRead(DevReadReply.newBuilder().setEof(true)).build());
            return;
        }
        out.send(Response.getDefaultInstance(), BulkReply.dataFields((int) n), buf.asSlice(0, n).asByteBuffer());
    }

    /** A heartbeat is an empty response of the call's kind with more=true. */
    private static Heartbeat beat(GateServer.Responder out, Response.Builder empty) {
        Response r = empty.setMore(true).build();
        return () -> out.send(r);
    }

    private DevNode node(NodeInfo n) {
        return DevNode.newBuilder().setName(n.name()).setMajor(n.major()).setMinor(n.minor()).setOwner(n.owner()).setGroup(n.group())
                .setMode(n.mode()).setModule(n.module()).setOpenCount(n.openCount()).setHeld(n.held()).setHasCalls(n.hasCalls())
                .setDomain(domainOf.apply(n.module())).build();
    }

    private OpenFile file(Task task, long handle, String what) {
        Map<Long, OpenFile> mine = byTask.get(task.id());
        OpenFile f = mine == null ? null : mine.get(handle);
        if (f == null) {
            throw new HostException(Errno.EBADF, "dev " + what + ": no handle " + handle + " is open on this connection");
        }
        return f;
    }

    private void close(Task task, long handle) {
        Map<Long, OpenFile> mine = byTask.get(task.id());
        OpenFile f = mine == null ? null : mine.remove(handle);
        if (f == null) {
            throw new HostException(Errno.EBADF, "dev close: no handle " + handle + " is open on this connection");
        }
        f.close();
    }

    /** Closes every file of a task that ended (its connection went away). */
    public void closeAll(Task task) {
        buffers.forget(task.id());
        Map<Long, OpenFile> mine = byTask.remove(task.id());
        if (mine != null) {
            List.copyOf(mine.values()).forEach(OpenFile::close);
        }
    }

    /** Closes every file (the host is stopping): they hold their drivers' modules. */
    public void closeEverything() {
        List.copyOf(byTask.keySet()).forEach(id -> {
            Map<Long, OpenFile> mine = byTask.remove(id);
            if (mine != null) {
                mine.values().forEach(OpenFile::close);
            }
        });
    }

    /** Bulk read buffers held now: one per connection that read in bulk and has not ended. */
    public int readBuffersHeld() {
        return buffers.held();
    }

    /** Files open through the gate now, over all tasks. */
    public int openCount() {
        return byTask.values().stream().mapToInt(Map::size).sum();
    }
}
