package dev.jdm.host.domain.process;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.blk.BlockBatch;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockOp;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.blk.BlockRequest;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.ring.PeerFaultException;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.transport.RingTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One LU's server in the domain: takes each request from the ring and hands it to the module's
 * driver with its data in place in the shared buffer; the driver completes it on any thread, and the
 * completion is posted under a lock (the completion ring has one producer at a time). Statuses map
 * one to one: {@code BlockStatus} errno e is {@code -e} in the ring.
 */
final class DomainLu {
    private static final long CHECK_MS = 500;
    private static final BlockOp[] OPS = BlockOp.values();

    private final String module;
    private final String name;
    private final ControlChannel channel;
    private final BlockQueueDriver driver;
    /** The driver's hole map, or null: it reports all data. */
    private final BlockExtents extents;
    private final HostLink host;
    private final Object completing = new Object();
    private volatile RingTransport.DomainEnd end;
    private volatile boolean closed;

    private DomainLu(String module, String name, ControlChannel channel, BlockQueueDriver driver, BlockExtents extents, HostLink host) {
        this.module = module;
        this.name = name;
        this.channel = channel;
        this.driver = driver;
        this.extents = extents;
        this.host = host;
    }

    static DomainLu start(String module, String name, ControlChannel channel, BlockQueueDriver driver, BlockExtents extents, HostLink host) {
        DomainLu lu = new DomainLu(module, name, channel, driver, extents, host);
        Thread.ofPlatform().daemon().name("lu-" + name).start(lu::serve);
        return lu;
    }

    private void serve() {
        try {
            end = RingTransport.accept(channel, 0, CHECK_MS);
            while (!closed) {
                RequestDescriptor r;
                try {
                    r = end.server().take();
                } catch (TimeoutException e) {
                    continue;
                }
                submit(r);
            }
        } catch (IOException | PeerFaultException e) {
            if (!closed) {
                host.log(module, LogLevel.ERR, name + ": ring: " + e.getMessage());
            }
        }
    }

    private void submit(RequestDescriptor d) throws PeerFaultException, IOException {
        if (d.op() == DomainProtocol.EXTENTS_OP) {
            answerExtents(d);
            return;
        }
        if (d.op() < 0 || d.op() >= OPS.length) {
            complete(d, BlockStatus.EINVAL, 0);
            return;
        }
        BlockOp op = OPS[d.op()];
        MemorySegment data = d.bufferIndex() == RequestDescriptor.NO_BUFFER || (op != BlockOp.READ && op != BlockOp.WRITE)
                ? MemorySegment.NULL.reinterpret(0) : end.server().data(d);
        Request req = new Request(d, op, data);
        try {
            driver.submit(new BlockBatch() {
                @Override
                public int size() {
                    return 1;
                }

                @Override
                public BlockRequest get(int index) {
                    if (index != 0) {
                        throw new IndexOutOfBoundsException(index);
                    }
                    return req;
                }
            });
        } catch (RuntimeException e) {
            req.completeIfOpen(BlockStatus.EIO);
        }
    }

    /**
     * An extents query, answered here on the ring's thread: the range's length is the buffer's
     * first 8 bytes; the runs go back in the same buffer. Runs that do not fit are left out, which
     * the contract allows (the client asks again for the rest); runs that break it fail the query.
     */
    private void answerExtents(RequestDescriptor d) throws PeerFaultException {
        if (extents == null || d.bufferIndex() == RequestDescriptor.NO_BUFFER) {
            complete(d, BlockStatus.EINVAL, 0);
            return;
        }
        MemorySegment buf = end.server().data(d);
        long length = buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        int max = (int) ((buf.byteSize() - 4) / DomainProtocol.EXTENT_RUN_BYTES);
        long[] covered = {0};
        int[] n = {0};
        int status;
        try {
            status = extents.extents(d.offset(), length, (runLength, flags) -> {
                if (runLength <= 0 || covered[0] + runLength > length) {
                    throw new IllegalArgumentException(name + ": run of " + runLength + " bytes at +" + covered[0] + " outside the "
                            + length + " asked for");
                }
                covered[0] += runLength;
                if (n[0] < max) {
                    long at = 4 + (long) n[0] * DomainProtocol.EXTENT_RUN_BYTES;
                    buf.set(ValueLayout.JAVA_LONG_UNALIGNED, at, runLength);
                    buf.set(ValueLayout.JAVA_INT_UNALIGNED, at + 8, flags);
                    n[0]++;
                }
            });
        } catch (RuntimeException e) {
            host.log(module, LogLevel.ERR, name + ": extents: " + e.getMessage());
            status = BlockStatus.EIO;
        }
        if (status == BlockStatus.OK && n[0] == 0) {
            status = BlockStatus.EIO; // at least one run, says the contract
        }
        buf.set(ValueLayout.JAVA_INT_UNALIGNED, 0, n[0]);
        complete(d, status, 4 + n[0] * DomainProtocol.EXTENT_RUN_BYTES);
    }

    private void complete(RequestDescriptor d, int status, int length) {
        synchronized (completing) {
            try {
                end.server().complete(d, status == BlockStatus.OK ? 0 : -status, status == BlockStatus.OK ? length : 0);
            } catch (IOException | PeerFaultException e) {
                host.log(module, LogLevel.ERR, name + ": posting a completion: " + e.getMessage());
            }
        }
    }

    void close() {
        closed = true;
    }

    /** One request as the driver sees it: its data is the shared buffer itself. */
    private final class Request implements BlockRequest {
        private final RequestDescriptor d;
        private final BlockOp op;
        private final MemorySegment data;
        private final long submitted = System.nanoTime();
        private final AtomicBoolean done = new AtomicBoolean();

        Request(RequestDescriptor d, BlockOp op, MemorySegment data) {
            this.d = d;
            this.op = op;
            this.data = data;
        }

        @Override
        public BlockOp op() {
            return op;
        }

        @Override
        public long offset() {
            return d.offset();
        }

        @Override
        public long length() {
            return d.length();
        }

        @Override
        public int flags() {
            return d.flags();
        }

        @Override
        public MemorySegment data() {
            return data;
        }

        @Override
        public long submitNanos() {
            return submitted;
        }

        @Override
        public int priority() {
            return 4;
        }

        @Override
        public void complete(int status) {
            if (!done.compareAndSet(false, true)) {
                throw new IllegalStateException(name + ": request " + d.id() + " completed twice");
            }
            DomainLu.this.complete(d, status, d.length());
        }

        void completeIfOpen(int status) {
            if (done.compareAndSet(false, true)) {
                DomainLu.this.complete(d, status, d.length());
            }
        }
    }
}
