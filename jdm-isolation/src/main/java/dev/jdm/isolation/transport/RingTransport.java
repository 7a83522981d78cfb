package dev.jdm.isolation.transport;

import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.channel.UnixSocket;
import dev.jdm.isolation.ring.Doorbell;
import dev.jdm.isolation.ring.PeerFaultException;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.ring.RingClient;
import dev.jdm.isolation.ring.RingServer;
import dev.jdm.isolation.ring.Waiter;
import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.isolation.sys.Sys;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Hands a ring region and its doorbells from the host to a domain over the control channel: one
 * ATTACH frame carrying the geometry and the descriptors.
 *
 * <pre>
 *   payload: capacity int, bufferCount int, bufferSize int, doorbell kind int (0 eventfd, 1 socket)
 *   fds:     eventfd: [region memfd, doorbell to the domain, doorbell to the host]
 *            socket:  [region memfd, the domain's end of a stream socket pair]
 * </pre>
 *
 * The host formats the region before sending it, so the domain finds a valid header at once.
 */
public final class RingTransport {
    /** Frame type of the hand-over. */
    public static final int ATTACH = 10;

    private RingTransport() {}

    /** The host's end: the client, and what must be closed with it. */
    public record HostEnd(RingClient client, SharedRegion region, Doorbell toDomain, Doorbell fromDomain) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            toDomain.close();
            if (fromDomain != toDomain) {
                fromDomain.close();
            }
            region.close();
        }
    }

    /** The domain's end. */
    public record DomainEnd(RingServer server, SharedRegion region, Doorbell toHost, Doorbell fromHost) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            toHost.close();
            if (fromHost != toHost) {
                fromHost.close();
            }
            region.close();
        }
    }

    /**
     * Creates a region of {@code layout}, formats it, sends it with new doorbells of {@code kind},
     * and returns the host's end, waiting for completions as {@code spinNanos}/{@code timeoutMillis} say.
     */
    public static HostEnd offer(ControlChannel ch, RegionLayout layout, FdDoorbell.Kind kind, long spinNanos, long timeoutMillis) throws IOException {
        SharedRegion region = SharedRegion.create("jdm-ring", layout.totalBytes());
        try {
            byte[] payload = ByteBuffer.allocate(16).putInt(layout.capacity()).putInt(layout.bufferCount())
                    .putInt(layout.bufferSize()).putInt(kind.ordinal()).array();
            Doorbell toDomain;
            Doorbell fromDomain;
            if (kind == FdDoorbell.Kind.EVENTFD) {
                FdDoorbell to = FdDoorbell.eventfd();
                FdDoorbell from = FdDoorbell.eventfd();
                toDomain = to;
                fromDomain = from;
                RingClient client = RingClient.create(region.segment(), layout, toDomain, new Waiter(spinNanos, fromDomain, timeoutMillis));
                ch.send(ATTACH, payload, region.fd(), to.fd(), from.fd());
                return new HostEnd(client, region, toDomain, fromDomain);
            }
            UnixSocket[] pair = UnixSocket.pair(UnixSocket.SOCK_STREAM);
            FdDoorbell mine = FdDoorbell.adopt(pair[0].fd(), FdDoorbell.Kind.SOCKET);
            RingClient client = RingClient.create(region.segment(), layout, mine, new Waiter(spinNanos, mine, timeoutMillis));
            try {
                ch.send(ATTACH, payload, region.fd(), pair[1].fd());
            } finally {
                pair[1].close(); // the domain holds its own copy now
            }
            return new HostEnd(client, region, mine, mine);
        } catch (IOException | RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /** The domain's side: receives the ATTACH frame, checks it, maps the region and attaches. */
    public static DomainEnd accept(ControlChannel ch, long spinNanos, long timeoutMillis) throws IOException, PeerFaultException {
        Frame f = ch.expect(ATTACH);
        int[] fds = f.fds();
        try {
            if (f.payload().length != 16) {
                throw new ControlChannelException("ATTACH frame of " + f.payload().length + " bytes, expected 16");
            }
            ByteBuffer b = ByteBuffer.wrap(f.payload());
            RegionLayout layout;
            try {
                layout = new RegionLayout(b.getInt(), b.getInt(), b.getInt());
            } catch (IllegalArgumentException e) {
                throw new ControlChannelException("ATTACH frame: " + e.getMessage());
            }
            int kind = b.getInt();
            int expectedFds = kind == 0 ? 3 : kind == 1 ? 2 : -1;
            if (expectedFds < 0) {
                throw new ControlChannelException("ATTACH frame: doorbell kind " + kind + ", expected 0 (eventfd) or 1 (socket)");
            }
            if (fds.length != expectedFds) {
                throw new ControlChannelException("ATTACH frame carries " + fds.length + " fds, expected " + expectedFds);
            }
            SharedRegion region = SharedRegion.map(fds[0], layout.totalBytes());
            Doorbell fromHost = FdDoorbell.adopt(fds[1], kind == 0 ? FdDoorbell.Kind.EVENTFD : FdDoorbell.Kind.SOCKET);
            Doorbell toHost = kind == 0 ? FdDoorbell.adopt(fds[2], FdDoorbell.Kind.EVENTFD) : fromHost;
            try {
                RingServer server = RingServer.attach(region.segment(), layout, toHost, new Waiter(spinNanos, fromHost, timeoutMillis));
                return new DomainEnd(server, region, toHost, fromHost);
            } catch (PeerFaultException e) {
                region.close();
                fromHost.close();
                if (toHost != fromHost) {
                    toHost.close();
                }
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            for (int fd : fds) {
                Sys.closeQuietly(fd);
            }
            throw e;
        }
    }
}
