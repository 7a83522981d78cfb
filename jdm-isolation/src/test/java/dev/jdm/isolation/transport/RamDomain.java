package dev.jdm.isolation.transport;

import dev.jdm.isolation.process.DomainContext;
import dev.jdm.isolation.process.DomainEntry;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.ring.RingServer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * A test domain serving a private memory disk through the ring: WRITE copies the request's buffer
 * into the disk, READ copies the disk into the buffer, STOP ends after answering with the number of
 * requests served; the last frame reports requests served and doorbells rung. Arguments: disk bytes,
 * spin nanoseconds.
 */
public final class RamDomain implements DomainEntry {
    public static final int STOP = 0;
    public static final int WRITE = 1;
    public static final int READ = 2;
    public static final int STATS = 20;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;

    @Override
    public void run(DomainContext context) throws Exception {
        long size = Long.parseLong(context.args().get(0));
        long spin = Long.parseLong(context.args().get(1));
        MemorySegment disk = Arena.ofAuto().allocate(size, 4096);
        try (RingTransport.DomainEnd end = RingTransport.accept(context.channel(), spin, -1)) {
            RingServer server = end.server();
            long served = 0;
            for (;;) {
                RequestDescriptor r = server.take();
                served++;
                if (r.op() == STOP) {
                    server.complete(r, 0, 0);
                    break;
                }
                if (r.offset() + r.length() > size) {
                    server.complete(r, -EINVAL, 0);
                    continue;
                }
                switch (r.op()) {
                    case WRITE -> MemorySegment.copy(server.data(r), 0, disk, r.offset(), r.length());
                    case READ -> MemorySegment.copy(disk, r.offset(), server.data(r), 0, r.length());
                    default -> {
                        server.complete(r, -EOPNOTSUPP, 0);
                        continue;
                    }
                }
                server.complete(r, r.length(), r.length());
            }
            context.channel().send(STATS, ByteBuffer.allocate(16).putLong(served).putLong(server.doorbellsRung()).array());
        }
    }
}
