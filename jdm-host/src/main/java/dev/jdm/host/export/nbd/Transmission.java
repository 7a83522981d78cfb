package dev.jdm.host.export.nbd;

import dev.jdm.host.block.CompletionBatch;
import dev.jdm.host.block.Plug;
import dev.jdm.host.block.SharedReaping;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.ExportableDevice;
import dev.jdm.host.export.Extent;
import dev.jdm.host.export.IoStatus;
import dev.jdm.host.export.nbd.NbdWire.Chunk;
import dev.jdm.host.export.nbd.NbdWire.Errors;
import dev.jdm.host.export.nbd.NbdWire.Request;
import dev.jdm.host.export.nbd.NbdWire.SimpleReply;
import dev.jdm.host.sys.EpollSet;
import dev.jdm.host.sys.NonBlockingSocket;
import dev.jdm.host.task.Task;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The transmission phase of one connection ("Transmission", "Request types"). One reader parses
 * requests and submits them to the device; completions go to the {@link ReplyWriter}. At most
 * {@link NbdConfig#maxInFlight} requests and {@link NbdConfig#maxInFlightBytes} payload bytes are
 * in flight; beyond that the reader stops reading, which pushes back on the client. Large requests
 * run on their own virtual thread so the reader can take the next one meanwhile.
 *
 * <p>Memory follows the bytes, not the headers: a write's payload is received into a buffer that
 * grows as it arrives ({@link #GROW_FROM}, doubling), each growth waiting for room in the export's
 * budget shared by all its connections, so a header that announces 32 MiB holds only what was
 * sent. A buffer the JVM cannot allocate fails that request with ENOMEM (the payload is read and
 * dropped, everything it held is released) and the connection goes on.
 */
final class Transmission {
    /** Requests at least this long are submitted from their own virtual thread. */
    static final int OFFLOAD_BYTES = 256 << 10;
    /** How long closing waits for in-flight requests to complete. */
    static final long DRAIN_SECONDS = 30;
    private static final int IN_BUFFER = 256 << 10;
    private static final int MAX_EXTENTS = 2048;
    /** The first buffer of a write payload; it doubles from here as the payload arrives. */
    static final int GROW_FROM = 1 << 20;
    /** Write payloads up to this size are read into the input buffer with the requests that follow them. */
    static final int SMALL_PAYLOAD = 64 << 10;

    private final ByteChannel ch;
    private final Session s;
    private final ExportableDevice device;
    private final Task task;
    private final ExportAccess access;
    private final NbdConfig config;
    private final Consumer<String> warn;
    private final ReplyWriter writer;
    private final Semaphore inFlight;
    private final Semaphore inFlightBytes;
    private final BufferPool pool;
    private final Semaphore exportBytes;
    private final IdleWatch idle;
    private final ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER).flip();
    private final int headerLength;
    private final long size;
    /** Whether this reader has corked {@link #writer}; only the reader thread touches it. */
    private boolean corked;
    /** The device's driver, if this reader may reap its completions while it waits for the socket; else null. */
    private final SharedReaping reaping;
    /** The socket's sender, also what {@link #wait} watches; null on TLS. */
    private final NonBlockingSocket direct;
    /** The socket and the driver's doorbell, watched together while this reader helps; created on first use. */
    private EpollSet wait;
    /** Whether this reader has joined {@link #reaping}; only the reader thread touches it. */
    private boolean helping;
    /** Set when {@link #wait} could not be made: the reader then never helps. */
    private boolean cannotWait;
    private static final int SOCKET_READY = 1;
    private static final int DONE_READY = 2;
    /** The longest one wait for the socket and completions sleeps: a ring replaced by a restart is watched from the next. */
    private static final long HELP_WAIT_MS = 200;

    Transmission(ByteChannel ch, Session s, Task task, ExportAccess access, NbdConfig config, Semaphore exportBytes, IdleWatch idle,
            Consumer<String> warn, BufferPool pool) {
        this.exportBytes = exportBytes;
        this.idle = idle;
        this.ch = ch;
        this.s = s;
        this.device = s.export().device();
        this.task = task;
        this.access = access;
        this.config = config;
        this.warn = warn;
        // TLS has no clear-text socket to send on: its replies go through the channel only
        this.direct = ch instanceof SocketChannel sc ? NonBlockingSocket.of(sc).orElse(null) : null;
        this.writer = new ReplyWriter(ch, direct);
        this.reaping = direct == null ? null : s.export().device().reaping();
        this.inFlight = new Semaphore(config.maxInFlight());
        this.inFlightBytes = new Semaphore((int) Math.min(Integer.MAX_VALUE, config.maxInFlightBytes()));
        this.pool = pool;
        this.headerLength = s.extended() ? Request.EXTENDED_LENGTH : Request.LENGTH;
        this.size = device.size();
    }

    /**
     * Serves requests until NBD_CMD_DISC or the end of the stream, then waits for in-flight
     * requests and their replies.
     *
     * @throws Handshake.ProtocolException if the stream stops being NBD requests
     * @throws IOException if the peer vanished mid-request
     */
    void run() throws IOException {
        // A platform thread: large replies block in the kernel instead of parking on the poller per socket-buffer fill.
        Thread writerThread = Thread.ofPlatform().daemon().name("nbd-reply:" + task.name()).start(writer::run);
        idle.watch(() -> inFlight.availablePermits() == config.maxInFlight());
        try {
            loop();
        } finally {
            idle.stop();
            stopHelping();
            if (wait != null) {
                wait.close();
            }
            try {
                uncork(); // the requests and replies still held back are what the drain below waits for
            } finally {
                drain(writerThread);
            }
        }
    }

    /** Waits for the requests in flight and their replies, then stops the writer and closes the socket's second descriptor. */
    private void drain(Thread writerThread) {
        try {
            if (inFlight.tryAcquire(config.maxInFlight(), DRAIN_SECONDS, TimeUnit.SECONDS)) {
                inFlight.release(config.maxInFlight());
            } else {
                warn.accept("requests still in flight after " + DRAIN_SECONDS + " s; closing anyway");
            }
            writer.finish();
            writerThread.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writer.close(); // the client sees the end once both descriptors are closed
        }
    }

    private void loop() throws IOException {
        while (true) {
            // Replies wait until the reader is about to block (a read, a permit), and then leave
            // together, from the reader itself when they are small (ReplyWriter.flush).
            cork();
            if (!fill(headerLength, true)) {
                return; // the client hung up between requests without NBD_CMD_DISC
            }
            int p = in.position();
            int magic = in.getInt(p + Request.MAGIC);
            int expected = s.extended() ? Request.EXTENDED_MAGIC_VALUE : Request.MAGIC_VALUE;
            if (magic != expected) {
                throw new Handshake.ProtocolException("request magic 0x" + Integer.toHexString(magic) + " is not 0x"
                        + Integer.toHexString(expected) + "; the stream is out of step");
            }
            int flags = Short.toUnsignedInt(in.getShort(p + Request.FLAGS));
            int type = Short.toUnsignedInt(in.getShort(p + Request.TYPE));
            long cookie = in.getLong(p + Request.COOKIE);
            long offset = in.getLong(p + Request.OFFSET);
            long length = s.extended() ? in.getLong(p + Request.LENGTH_FIELD) : Integer.toUnsignedLong(in.getInt(p + Request.LENGTH_FIELD));
            in.position(p + headerLength);
            if (type == Request.DISC) {
                return; // "The server MUST NOT send a reply to NBD_CMD_DISC"
            }
            idle.touch();
            long payload = type == Request.WRITE || (s.extended() && (flags & Request.FLAG_PAYLOAD_LEN) != 0) ? length : 0;
            acquire(inFlight, 1);
            if (Long.compareUnsigned(payload, s.maxPayload()) > 0) {
                oversized(cookie, offset, payload);
                continue;
            }
            int bytes = (int) Math.min(payload > 0 ? payload : (type == Request.READ && length <= s.maxPayload() ? length : 0),
                    config.maxInFlightBytes());
            acquire(inFlightBytes, bytes);
            if (payload == 0) {
                acquire(exportBytes, bytes); // a read's buffer, taken when it is dispatched
                submit(new Req(cookie, offset, length, flags, type, null, bytes, bytes));
                continue;
            }
            Payload got;
            try {
                got = receive((int) payload);
            } catch (IOException e) {
                inFlightBytes.release(bytes); // the request never started: nothing will release these
                inFlight.release();
                throw e;
            }
            if (got.data() == null) {
                Req r = new Req(cookie, offset, length, 0, type, null, bytes, 0);
                error(r, Errors.ENOMEM, "no memory for a payload of " + payload + " bytes; retry later");
                continue;
            }
            submit(new Req(cookie, offset, length, flags, type, got.data(), bytes, got.charged()));
        }
    }

    /** A received payload (null when no buffer could be had) and the export bytes it holds. */
    private record Payload(ByteBuffer data, int charged) {}

    /**
     * Receives a write's payload into a buffer that grows as the bytes arrive. When the JVM has no
     * memory for the next buffer the rest is read and dropped and everything is given back.
     */
    private Payload receive(int payload) throws IOException {
        if (payload <= SMALL_PAYLOAD) {
            // through the input buffer: the read that completes this payload also brings the requests behind it
            fill(payload, "a write payload");
        }
        ByteBuffer buf = null;
        int charged = 0;
        int have = 0;
        try {
            while (have < payload) {
                int cap = (int) Math.min(payload, Math.max(GROW_FROM, 2L * have));
                acquire(exportBytes, cap - charged);
                charged = cap;
                // a payload that fits one buffer may be received straight into one the device lends
                ByteBuffer grown = buf == null && cap == payload ? pool.take(cap, device) : pool.take(cap);
                if (buf != null) {
                    grown.put(0, buf, 0, have);
                    pool.give(buf);
                }
                buf = grown.position(have);
                have = readPayload(buf);
            }
        } catch (OutOfMemoryError e) {
            if (buf != null) {
                pool.give(buf);
            }
            exportBytes.release(charged);
            skip(payload - have);
            return new Payload(null, 0);
        } catch (IOException e) {
            if (buf != null) {
                pool.drop(buf); // a lent one goes back; the connection is over
            }
            exportBytes.release(charged);
            throw e;
        }
        return new Payload(buf.flip(), charged);
    }

    /** A request being served. {@code data} holds a write's payload or a read's buffer. */
    private record Req(long cookie, long offset, long length, int flags, int type, ByteBuffer data, int bytes, int charged) {}

    private void oversized(long cookie, long offset, long payload) throws IOException {
        if (Long.compareUnsigned(payload, 2L * s.maxPayload()) > 0) {
            inFlight.release();
            throw new Handshake.ProtocolException("request payload of " + Long.toUnsignedString(payload) + " bytes exceeds the maximum "
                    + s.maxPayload() + " too far to skip");
        }
        skip(payload); // keep the stream in step, then refuse
        Req r = new Req(cookie, offset, payload, 0, Request.WRITE, null, 0, 0);
        error(r, Errors.EINVAL, "payload of " + payload + " bytes exceeds the maximum of " + s.maxPayload());
    }

    private void submit(Req r) {
        int errno = validate(r);
        if (errno != 0) {
            return;
        }
        ExportAccess.Op op = op(r.type());
        boolean allowed;
        try {
            allowed = access.blkIo(task, s.export().name(), op, r.offset(), r.length());
        } catch (RuntimeException e) {
            allowed = false; // fail closed
        }
        if (!allowed) {
            error(r, Errors.EPERM, "blk_io refused " + op + " at " + r.offset() + "+" + r.length() + " of " + s.export().name());
            return;
        }
        if (r.type() == Request.BLOCK_STATUS) {
            stopHelping(); // the device answers it on this thread by waiting on its ring, which its own reaper then serves
        }
        if (r.length() >= OFFLOAD_BYTES && r.type() == Request.WRITE) {
            // in a batch of its own: the thread that completes it sends the reply (ReplyWriter), no writer wake-up
            Thread.ofVirtual().name("nbd-io").start(() -> CompletionBatch.run(() -> dispatch(r)));
        } else {
            dispatch(r);
        }
    }

    private void dispatch(Req r) {
        boolean fua = (r.flags() & Request.FLAG_FUA) != 0;
        // Whichever comes first answers the request: the device's completion, or the catch below
        // when the device throws before completing. Exactly one reply per request either way.
        Once done = new Once();
        ByteBuffer buf = null;
        try {
            switch (r.type()) {
                case Request.READ -> {
                    ByteBuffer b = pool.take((int) r.length(), device);
                    buf = b;
                    device.read(r.offset(), MemorySegment.ofBuffer(b), done.then(st -> {
                        if (st == IoStatus.OK) {
                            readReply(r, b);
                        } else {
                            pool.drop(b); // not pooled: a driver that timed out may still write into it
                            status(r, st);
                        }
                    }));
                }
                case Request.WRITE -> device.write(r.offset(), MemorySegment.ofBuffer(r.data()), fua, done.then(st -> status(r, st)));
                case Request.FLUSH -> device.flush(done.then(st -> status(r, st)));
                case Request.TRIM -> device.trim(r.offset(), r.length(), fua, done.then(st -> status(r, st)));
                case Request.WRITE_ZEROES -> device.writeZeroes(r.offset(), r.length(), fua, (r.flags() & Request.FLAG_NO_HOLE) == 0,
                        (r.flags() & Request.FLAG_FAST_ZERO) != 0, done.then(st -> status(r, st)));
                case Request.CACHE -> device.cache(r.offset(), r.length(), done.then(st -> status(r, st)));
                case Request.BLOCK_STATUS -> device.blockStatus(r.offset(), r.length(), (st, extents) -> {
                    if (done.claim()) {
                        if (st == IoStatus.OK && !extents.isEmpty()) {
                            statusReply(r, extents);
                        } else {
                            status(r, st == IoStatus.OK ? IoStatus.EIO : st);
                        }
                    }
                });
                default -> throw new IllegalStateException("validated type " + r.type());
            }
        } catch (RuntimeException e) {
            // A device must complete, not throw; if one throws anyway the request fails, not the connection.
            warn.accept(device.name() + " threw on " + op(r.type()) + ": " + e);
            if (done.claim()) {
                letGo(buf, false); // a read's buffer, lent or ours: the device may still hold it
                error(r, Errors.EIO, "device " + device.name() + " failed: " + e.getMessage());
            }
        } catch (OutOfMemoryError e) { // a read's buffer: this request fails, the connection and the host go on
            if (done.claim()) {
                letGo(buf, false);
                error(r, Errors.ENOMEM, "no memory for a read of " + r.length() + " bytes; retry later");
            }
        }
    }

    /** Who answers a request: the first to {@link #claim} it; a completion after that is ignored. */
    private static final class Once {
        private final AtomicBoolean claimed = new AtomicBoolean();

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        /** A completion that runs {@code then} (a null status as EIO) if it is the first to claim. */
        ExportableDevice.Completion then(Consumer<IoStatus> then) {
            return st -> {
                if (claim()) {
                    then.accept(st == null ? IoStatus.EIO : st);
                }
            };
        }
    }

    /** Built only for a request that needs it: validation runs once per request. */
    private String beyondTheEnd(Req r) {
        return "range " + Long.toUnsignedString(r.offset()) + "+" + Long.toUnsignedString(r.length()) + " beyond the end of "
                + s.export().name() + " (" + size + " bytes)";
    }

    /** Checks a request against the session and the export; sends the error reply and returns its errno, or 0. */
    private int validate(Req r) {
        int known = Request.FLAG_FUA | Request.FLAG_NO_HOLE | Request.FLAG_DF | Request.FLAG_REQ_ONE | Request.FLAG_FAST_ZERO
                | (s.extended() ? Request.FLAG_PAYLOAD_LEN : 0);
        String why = null;
        int errno = Errors.EINVAL;
        boolean ro = s.export().writesRefused();
        boolean inRange = Long.compareUnsigned(r.offset(), size) <= 0 && Long.compareUnsigned(r.length(), size - r.offset()) <= 0;
        var caps = device.capabilities();
        if ((r.flags() & ~known) != 0) {
            why = "unknown command flags 0x" + Integer.toHexString(r.flags() & ~known);
        } else if (r.type() != Request.WRITE && r.data() != null) {
            why = "command " + r.type() + " takes no payload";
        } else if ((r.flags() & Request.FLAG_DF) != 0 && (r.type() != Request.READ || !s.structured())) {
            why = "NBD_CMD_FLAG_DF applies only to reads with structured replies";
        } else if ((r.flags() & Request.FLAG_REQ_ONE) != 0 && r.type() != Request.BLOCK_STATUS) {
            why = "NBD_CMD_FLAG_REQ_ONE applies only to NBD_CMD_BLOCK_STATUS";
        } else if ((r.flags() & (Request.FLAG_NO_HOLE | Request.FLAG_FAST_ZERO)) != 0 && r.type() != Request.WRITE_ZEROES) {
            why = "NBD_CMD_FLAG_NO_HOLE and FAST_ZERO apply only to NBD_CMD_WRITE_ZEROES";
        } else {
            switch (r.type()) {
                case Request.READ -> why = r.length() == 0 ? "zero-length read"
                        : r.length() > s.maxPayload() ? "read of " + Long.toUnsignedString(r.length()) + " bytes exceeds the maximum of " + s.maxPayload()
                        : !inRange ? beyondTheEnd(r) : null;
                case Request.WRITE -> {
                    if (ro) {
                        errno = Errors.EPERM;
                        why = "export " + s.export().name() + " is read-only";
                    } else if (r.length() == 0) {
                        why = "zero-length write";
                    } else if (!inRange) {
                        errno = Errors.ENOSPC;
                        why = beyondTheEnd(r);
                    }
                }
                case Request.FLUSH -> why = r.offset() != 0 || r.length() != 0 ? "NBD_CMD_FLUSH must have offset and length 0" : null;
                case Request.TRIM, Request.WRITE_ZEROES -> {
                    boolean zero = r.type() == Request.WRITE_ZEROES;
                    if (ro) {
                        errno = Errors.EPERM;
                        why = "export " + s.export().name() + " is read-only";
                    } else if (!caps.contains(zero ? ExportableDevice.Capability.WRITE_ZEROES : ExportableDevice.Capability.TRIM)) {
                        why = (zero ? "NBD_CMD_WRITE_ZEROES" : "NBD_CMD_TRIM") + " was not advertised";
                    } else if (zero && (r.flags() & Request.FLAG_FAST_ZERO) != 0 && !caps.contains(ExportableDevice.Capability.FAST_ZERO)) {
                        why = "NBD_CMD_FLAG_FAST_ZERO was not advertised";
                    } else if (r.length() == 0) {
                        why = "zero length";
                    } else if (!inRange) {
                        errno = zero ? Errors.ENOSPC : Errors.EINVAL;
                        why = beyondTheEnd(r);
                    }
                }
                case Request.CACHE -> why = !caps.contains(ExportableDevice.Capability.CACHE) ? "NBD_CMD_CACHE was not advertised"
                        : !inRange ? beyondTheEnd(r) : null;
                case Request.BLOCK_STATUS -> why = !s.baseAllocation() ? "no metadata context was selected with NBD_OPT_SET_META_CONTEXT"
                        : r.length() == 0 ? "zero-length block status" : !inRange ? beyondTheEnd(r) : null;
                default -> why = "unknown command " + r.type();
            }
        }
        if (why == null && s.alignment() > 1 && r.type() != Request.FLUSH
                && (Long.remainderUnsigned(r.offset(), s.alignment()) != 0 || Long.remainderUnsigned(r.length(), s.alignment()) != 0)) {
            why = "offset and length must be multiples of " + s.alignment();
        }
        if (why == null) {
            return 0;
        }
        error(r, errno, why);
        return errno;
    }

    private static ExportAccess.Op op(int type) {
        return switch (type) {
            case Request.READ -> ExportAccess.Op.READ;
            case Request.WRITE -> ExportAccess.Op.WRITE;
            case Request.FLUSH -> ExportAccess.Op.FLUSH;
            case Request.TRIM -> ExportAccess.Op.TRIM;
            case Request.WRITE_ZEROES -> ExportAccess.Op.WRITE_ZEROES;
            case Request.CACHE -> ExportAccess.Op.CACHE;
            default -> ExportAccess.Op.BLOCK_STATUS;
        };
    }

    // ---- replies ----

    private Runnable release(Req r, ByteBuffer extra) {
        return release(r, extra, true);
    }

    /**
     * Gives back what a request holds; {@code reuse} false drops its buffers instead of pooling
     * them, for failed requests, whose buffer a timed-out driver may still read or write.
     */
    private Runnable release(Req r, ByteBuffer extra, boolean reuse) {
        return () -> {
            letGo(r.data(), reuse);
            letGo(extra, reuse);
            inFlightBytes.release(r.bytes());
            exportBytes.release(r.charged());
            inFlight.release();
            idle.touch(); // idle counts from the last reply, not from the last request

        };
    }

    private void letGo(ByteBuffer b, boolean reuse) {
        if (b != null && reuse) {
            pool.give(b);
        } else if (b != null) {
            pool.drop(b);
        }
    }

    private void status(Req r, IoStatus st) {
        if (st == IoStatus.OK) {
            if (s.extended()) {
                writer.send(new ReplyWriter.Reply(chunk(r, Chunk.NONE, 0, 0).array(), null, release(r, null)));
            } else {
                writer.send(new ReplyWriter.Reply(simple(r, 0).array(), null, release(r, null)));
            }
        } else {
            error(r, Errors.of(st), op(r.type()) + " on " + s.export().name() + " failed: " + st);
        }
    }

    private void error(Req r, int errno, String message) {
        if (!s.structured()) {
            writer.send(new ReplyWriter.Reply(simple(r, errno).array(), null, release(r, null, false)));
            return;
        }
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        if (m.length > NbdWire.MAX_STRING) {
            m = java.util.Arrays.copyOf(m, NbdWire.MAX_STRING);
        }
        ByteBuffer b = chunk(r, Chunk.ERROR, Chunk.ERROR_PREFIX + m.length, Chunk.ERROR_PREFIX + m.length);
        b.putInt(errno).putShort((short) m.length).put(m);
        writer.send(new ReplyWriter.Reply(b.array(), null, release(r, null, false)));
    }

    private void readReply(Req r, ByteBuffer buf) {
        buf.clear().limit((int) r.length());
        ByteBuffer head;
        if (s.structured()) {
            head = chunk(r, Chunk.OFFSET_DATA, Chunk.OFFSET_DATA_PREFIX + r.length(), Chunk.OFFSET_DATA_PREFIX);
            head.putLong(r.offset());
        } else {
            head = simple(r, 0);
        }
        writer.send(new ReplyWriter.Reply(head.array(), buf, release(r, buf)));
    }

    private void statusReply(Req r, List<Extent> extents) {
        boolean one = (r.flags() & Request.FLAG_REQ_ONE) != 0;
        int n = Math.min(one ? 1 : MAX_EXTENTS, extents.size());
        int each = s.extended() ? Chunk.DESCRIPTOR_EXT : Chunk.DESCRIPTOR;
        int prefix = s.extended() ? Chunk.STATUS_EXT_PREFIX : Chunk.STATUS_PREFIX;
        // Clip to the request: extents past it are allowed but never needed.
        long left = r.length();
        ByteBuffer body = ByteBuffer.allocate(n * each);
        int count = 0;
        for (int i = 0; i < n && left > 0; i++) {
            Extent e = extents.get(i);
            long len = Math.min(e.length(), left);
            int state = (e.hole() ? NbdWire.BaseAllocation.STATE_HOLE : 0) | (e.zero() ? NbdWire.BaseAllocation.STATE_ZERO : 0);
            if (s.extended()) {
                body.putLong(len).putLong(state);
            } else {
                body.putInt((int) len).putInt(state);
            }
            left -= len;
            count++;
        }
        int payload = prefix + count * each;
        ByteBuffer b = chunk(r, s.extended() ? Chunk.BLOCK_STATUS_EXT : Chunk.BLOCK_STATUS, payload, payload);
        b.putInt(NbdWire.BaseAllocation.CONTEXT_ID);
        if (s.extended()) {
            b.putInt(count);
        }
        b.put(body.array(), 0, count * each);
        writer.send(new ReplyWriter.Reply(b.array(), null, release(r, null)));
    }

    private static ByteBuffer simple(Req r, int errno) {
        ByteBuffer b = ByteBuffer.allocate(SimpleReply.LENGTH);
        b.putInt(SimpleReply.MAGIC, SimpleReply.MAGIC_VALUE).putInt(SimpleReply.ERROR, errno).putLong(SimpleReply.COOKIE, r.cookie());
        return b;
    }

    /** A chunk header with DONE set, positioned after the header, with room for {@code room} payload bytes. */
    private ByteBuffer chunk(Req r, int type, long payloadLength, int room) {
        int h = s.extended() ? Chunk.EXTENDED_LENGTH : Chunk.LENGTH;
        ByteBuffer b = ByteBuffer.allocate(h + room);
        b.putInt(Chunk.MAGIC, s.extended() ? Chunk.EXTENDED_MAGIC_VALUE : Chunk.MAGIC_VALUE)
                .putShort(Chunk.FLAGS, (short) Chunk.FLAG_DONE).putShort(Chunk.TYPE, (short) type).putLong(Chunk.COOKIE, r.cookie());
        if (s.extended()) {
            b.putLong(Chunk.EXTENDED_OFFSET, r.offset()).putLong(Chunk.EXTENDED_PAYLOAD_LENGTH, payloadLength);
        } else {
            b.putInt(Chunk.COMPACT_PAYLOAD_LENGTH, (int) payloadLength);
        }
        return b.position(h);
    }

    // ---- input ----

    /**
     * Holds requests and replies back while the reader serves what it has read: the requests reach
     * the driver together ({@link Plug}), their replies leave together ({@link ReplyWriter#cork}).
     */
    private void cork() {
        if (!corked) {
            corked = true;
            Plug.start();
            writer.cork();
        }
    }

    /**
     * Lets held-back requests go to the driver, then held-back replies, small ones from this thread
     * ({@link ReplyWriter#flush}): called before anything that may block.
     */
    private void uncork() {
        if (corked) {
            corked = false;
            try {
                Plug.finish();
            } finally {
                if (helping) {
                    writer.flushWithoutWaiting(); // a helper must not block on a slow client: other clients' completions wait for it
                } else {
                    writer.flush();
                }
            }
        }
    }

    /** Takes permits; if that means waiting, the replies that would free them are let go first. */
    private void acquire(Semaphore sem, int permits) {
        if (!sem.tryAcquire(permits)) {
            uncork();
            stopHelping(); // what frees the permits may have to be reaped by the driver's own thread
            sem.acquireUninterruptibly(permits);
            cork();
        }
    }

    /** Makes {@code n} bytes of a payload available in {@code in}. */
    private void fill(int n, String what) throws IOException {
        while (in.remaining() < n) {
            uncork();
            in.compact();
            int got = read(in);
            cork(); // what this request and the next ones complete waits for the next flush
            in.flip();
            if (got < 0) {
                throw new EOFException("client vanished inside " + what + " (" + in.remaining() + " of " + n + " bytes)");
            }
        }
    }

    /** Makes {@code n} bytes available in {@code in}; false at a clean end of stream if allowed. */
    private boolean fill(int n, boolean atBoundary) throws IOException {
        while (in.remaining() < n) {
            uncork();
            in.compact();
            int got = read(in);
            cork(); // what this request and the next ones complete waits for the next flush
            in.flip();
            if (got < 0) {
                if (atBoundary && !in.hasRemaining()) {
                    return false;
                }
                throw new EOFException("client vanished inside a request header (" + in.remaining() + " of " + n + " bytes)");
            }
        }
        return true;
    }

    /** Fills {@code dst} from its position to its limit, buffered bytes first; returns the position reached. */
    private int readPayload(ByteBuffer dst) throws IOException {
        int buffered = Math.min(in.remaining(), dst.remaining());
        dst.put(dst.position(), in, in.position(), buffered);
        in.position(in.position() + buffered);
        dst.position(dst.position() + buffered);
        while (dst.hasRemaining()) {
            uncork();
            int got = read(dst);
            cork();
            if (got < 0) {
                throw new EOFException("client vanished inside a write payload (" + dst.position() + " of " + dst.limit() + " bytes)");
            }
        }
        return dst.position();
    }

    /** Reads and drops {@code n} bytes through the input buffer, so that dropping needs no memory of its own. */
    private void skip(long n) throws IOException {
        long left = n;
        int buffered = (int) Math.min(in.remaining(), left);
        in.position(in.position() + buffered);
        left -= buffered;
        while (left > 0) {
            uncork();
            in.clear().limit((int) Math.min(in.capacity(), left));
            int got = read(in);
            cork(); // what this request and the next ones complete waits for the next flush
            if (got < 0) {
                throw new EOFException("client vanished inside a payload being dropped");
            }
            left -= got;
        }
        if (n > buffered) {
            in.clear().flip(); // everything read was dropped
        }
    }

    // ---- waiting for the socket, reaping meanwhile ----

    /** Reads from the socket, after waiting for it and the device's completions together where it can ({@link #awaitSocket}). */
    private int read(ByteBuffer b) throws IOException {
        awaitSocket();
        return ch.read(b);
    }

    /**
     * Until the socket has bytes, completes the device's completions on this thread, as a colocated
     * driver completes on it: a domain LU's completion then wakes this thread only, and its reply
     * leaves from here (the reader is uncorked, so it goes at once, without waiting). Returns at
     * once where the device cannot be helped: the read then waits as usual.
     */
    private void awaitSocket() throws IOException {
        if (reaping == null || cannotWait) {
            return;
        }
        if (!helping) {
            if (wait == null) {
                try {
                    wait = EpollSet.create();
                    wait.watch(direct.fd(), SOCKET_READY, false);
                } catch (IOException e) {
                    cannotWait = true; // no epoll to be had: this reader reads as without help
                    return;
                }
            }
            reaping.join(wait);
            helping = true;
        }
        while (true) {
            switch (reaping.reapOrArm(wait, DONE_READY)) {
                case UNAVAILABLE -> {
                    stopHelping();
                    return;
                }
                case REAPED -> {
                    // their replies are sent; look again before sleeping
                }
                case ARMED -> {
                    int ready;
                    try {
                        ready = wait.await(HELP_WAIT_MS);
                    } catch (IOException e) {
                        cannotWait = true; // the read below waits as without help
                        stopHelping();
                        return;
                    } finally {
                        reaping.disarm();
                    }
                    if ((ready & SOCKET_READY) != 0) {
                        return;
                    }
                }
            }
        }
    }

    /** Leaves {@link #reaping} before this reader blocks on anything but the socket, or ends. */
    private void stopHelping() {
        if (helping) {
            helping = false;
            reaping.leave(wait);
        }
    }
}
