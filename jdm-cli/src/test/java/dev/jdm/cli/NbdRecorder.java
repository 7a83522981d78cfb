package dev.jdm.cli;

import dev.jdm.drivers.logdisk.ReplayChecker.ClientFlush;
import dev.jdm.drivers.logdisk.ReplayChecker.ClientWrite;
import dev.jdm.drivers.logdisk.WriteLog;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An NBD proxy that stands between a real client (fio, nbdfuse) and the host, passes every byte
 * through unchanged, and records what the client was promised: each write, write-zeroes and flush
 * that succeeded, with the time its request arrived and the time its reply left the server, and a
 * digest of each written sector. Times are taken before a message is passed on, so a client's
 * flush is always seen after the acknowledgements it followed. The replay checker compares these
 * promises with a logdisk log. It speaks fixed newstyle with simple and structured replies, which
 * is what libnbd 1.14 negotiates; a connection that asks for anything it cannot follow (TLS,
 * extended headers) is cut, and the failure recorded.
 */
final class NbdRecorder implements AutoCloseable {
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final long OPTION_REPLY = 0x3e889045565a9L;
    private static final int REQUEST = 0x25609513;
    private static final int SIMPLE = 0x67446698;
    private static final int STRUCTURED = 0x668e33ef;
    private static final int OPT_EXPORT_NAME = 1;
    private static final int OPT_ABORT = 2;
    private static final int OPT_STARTTLS = 5;
    private static final int OPT_GO = 7;
    private static final int OPT_STRUCTURED_REPLY = 8;
    private static final int OPT_EXTENDED_HEADERS = 11;
    private static final int REP_ACK = 1;
    private static final int CMD_READ = 0;
    private static final int CMD_WRITE = 1;
    private static final int CMD_DISC = 2;
    private static final int CMD_FLUSH = 3;
    private static final int CMD_WRITE_ZEROES = 6;
    private static final int FLAG_FUA = 1;
    private static final int REPLY_DONE = 1;

    private final Path socket;
    private final Path upstream;
    private final ServerSocketChannel server;
    private final List<ClientWrite> writes = new CopyOnWriteArrayList<>();
    private final List<ClientFlush> flushes = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    private record Pending(int type, int flags, long offset, long length, long submitNanos, long[] digests) {}

    /** Listens on {@code socket} and forwards each connection to the NBD server at {@code upstream}. */
    NbdRecorder(Path socket, Path upstream) throws IOException {
        this.socket = socket;
        this.upstream = upstream;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("nbd-recorder").start(this::accept);
    }

    List<ClientWrite> writes() {
        return List.copyOf(writes);
    }

    List<ClientFlush> flushes() {
        return List.copyOf(flushes);
    }

    /** What went wrong on any connection: a protocol the recorder could not follow, an I/O error mid-request. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** The libnbd URI of {@code export} through this recorder. */
    String uri(String export) {
        return "nbd+unix:///" + export + "?socket=" + socket;
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofPlatform().daemon().name("nbd-recorder-conn").start(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; SocketChannel host = SocketChannel.open(UnixDomainSocketAddress.of(upstream))) {
            boolean structured = handshake(client, host);
            Map<Long, Pending> pending = new ConcurrentHashMap<>();
            Thread replies = Thread.ofPlatform().daemon().name("nbd-recorder-replies").start(() -> replies(host, client, pending, structured));
            requests(client, host, pending);
            replies.join();
        } catch (EOFException ended) {
            // the client went away during the handshake (nbdinfo-style probes do)
        } catch (IOException | InterruptedException | IllegalStateException e) {
            failures.add("connection: " + e);
        }
    }

    /** Passes the handshake through in lockstep; returns whether structured replies were agreed. */
    private boolean handshake(SocketChannel client, SocketChannel host) throws IOException {
        pass(host, client, 18);                      // NBDMAGIC, IHAVEOPT, handshake flags
        boolean noZeroes = (pass(client, host, 4).getInt(0) & 2) != 0;
        boolean structured = false;
        while (true) {
            ByteBuffer option = pass(client, host, 16);
            if (option.getLong(0) != IHAVEOPT) {
                throw new IllegalStateException("the client sent an option without IHAVEOPT");
            }
            int opt = option.getInt(8);
            pass(client, host, option.getInt(12));
            if (opt == OPT_EXPORT_NAME) {
                pass(host, client, noZeroes ? 10 : 134);
                return structured;
            }
            while (true) {
                ByteBuffer reply = pass(host, client, 20);
                if (reply.getLong(0) != OPTION_REPLY) {
                    throw new IllegalStateException("the server sent an option reply without its magic");
                }
                int type = reply.getInt(12);
                pass(host, client, reply.getInt(16));
                if (type == REP_ACK) {
                    switch (opt) {
                        case OPT_GO -> { return structured; }
                        case OPT_STRUCTURED_REPLY -> structured = true;
                        case OPT_STARTTLS, OPT_EXTENDED_HEADERS -> throw new IllegalStateException("option " + opt + " agreed: the recorder cannot follow it");
                        case OPT_ABORT -> throw new EOFException("aborted");
                        default -> { }
                    }
                }
                if (type == REP_ACK || type < 0) {
                    break;
                }
            }
        }
    }

    private void requests(SocketChannel client, SocketChannel host, Map<Long, Pending> pending) throws IOException {
        while (true) {
            ByteBuffer h;
            try {
                h = read(client, 28);
            } catch (EOFException gone) {
                return;
            }
            long submitted = System.nanoTime();
            if (h.getInt(0) != REQUEST) {
                throw new IllegalStateException("a request without its magic");
            }
            int flags = h.getShort(4) & 0xffff;
            int type = h.getShort(6) & 0xffff;
            long offset = h.getLong(16);
            long length = h.getInt(24) & 0xffffffffL;
            ByteBuffer payload = type == CMD_WRITE ? read(client, (int) length) : null;
            long[] digests = payload == null || length % WriteLog.SECTOR != 0 ? null : WriteLog.digests(payload);
            pending.put(h.getLong(8), new Pending(type, flags, offset, length, submitted, digests));
            write(host, h.rewind());
            if (payload != null) {
                write(host, payload.rewind());
            }
            if (type == CMD_DISC) {
                host.shutdownOutput();
                return;
            }
        }
    }

    private void replies(SocketChannel host, SocketChannel client, Map<Long, Pending> pending, boolean structured) {
        Map<Long, Boolean> failed = new ConcurrentHashMap<>();
        try {
            while (true) {
                ByteBuffer magic;
                try {
                    magic = read(host, 4);
                } catch (EOFException gone) {
                    return;
                }
                int m = magic.getInt(0);
                ByteBuffer rest;
                long handle;
                boolean done;
                boolean error;
                if (m == SIMPLE) {
                    rest = read(host, 12);
                    handle = rest.getLong(4);
                    error = rest.getInt(0) != 0;
                    done = true;
                    Pending p = pending.get(handle);
                    if (p != null && p.type() == CMD_READ && !error) {
                        rest = concat(rest, read(host, (int) p.length()));
                    }
                } else if (m == STRUCTURED && structured) {
                    rest = read(host, 16);
                    handle = rest.getLong(4);
                    done = (rest.getShort(0) & REPLY_DONE) != 0;
                    error = (rest.getShort(2) & 0x8000) != 0;
                    rest = concat(rest, read(host, rest.getInt(12)));
                } else {
                    throw new IllegalStateException("a reply with magic " + Integer.toHexString(m));
                }
                if (error) {
                    failed.put(handle, true);
                }
                if (done) {
                    record(pending.remove(handle), failed.remove(handle) == null, System.nanoTime());
                }
                write(client, magic.rewind());
                write(client, rest.rewind());
            }
        } catch (IOException | IllegalStateException e) {
            failures.add("replies: " + e);
        }
    }

    private void record(Pending p, boolean ok, long acked) {
        if (p == null || !ok) {
            return;
        }
        boolean fua = (p.flags() & FLAG_FUA) != 0;
        switch (p.type()) {
            case CMD_WRITE -> {
                if (p.digests() == null) {
                    failures.add("a write at " + p.offset() + "+" + p.length() + " is not in whole sectors; the checker cannot follow it");
                } else {
                    writes.add(new ClientWrite(p.offset(), p.length(), fua, p.submitNanos(), acked, p.digests()));
                }
            }
            case CMD_WRITE_ZEROES -> writes.add(ClientWrite.zeroes(p.offset(), p.length(), fua, p.submitNanos(), acked));
            case CMD_FLUSH -> flushes.add(new ClientFlush(p.submitNanos(), acked));
            default -> { } // reads, trims (their data is unspecified afterwards), block status
        }
    }

    private static ByteBuffer pass(SocketChannel from, SocketChannel to, int n) throws IOException {
        ByteBuffer b = read(from, n);
        write(to, b.rewind());
        return b.rewind();
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("connection closed with " + b.remaining() + " of " + n + " bytes unread");
            }
        }
        return b.flip();
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        return ByteBuffer.allocate(a.limit() + b.limit()).put(a.rewind()).put(b.rewind()).flip();
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
