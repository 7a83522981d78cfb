package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.DmaFault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One descriptor chain of a split virtqueue (virtio 1.2 §2.7.5), walked from its head: the
 * device-readable buffers as one byte stream and the device-writable ones as another, since the
 * device must not assume how a request is split into descriptors (§2.7.4). The buffers are only
 * reached through {@link BoardPort#dma} at the moment of a copy, so nothing is held past it.
 * Thread-safe once walked: it only reads its own fields.
 */
final class DescriptorChain {
    static final int F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
    private static final int DESCRIPTOR = 16;

    private final int head;
    private final long[] addr;
    private final long[] len;
    private final boolean[] write;
    private final int count;
    private final long readable;
    private final long writable;
    private final String problem;

    private DescriptorChain(int head, long[] addr, long[] len, boolean[] write, int count, String problem) {
        this.head = head;
        this.addr = addr;
        this.len = len;
        this.write = write;
        this.count = count;
        long r = 0, w = 0;
        for (int i = 0; i < count; i++) {
            if (write[i]) {
                w += len[i];
            } else {
                r += len[i];
            }
        }
        this.readable = r;
        this.writable = w;
        this.problem = problem == null && r + w > 1L << 32 ? "the chain is longer than 2^32 bytes" : problem;
    }

    /**
     * Walks the chain from {@code head} in the descriptor table at {@code table} of {@code size}
     * entries. Throws for what leaves the chain without an end: an index outside the table, a
     * chain longer than the table (a loop), or INDIRECT, which the device does not offer.
     */
    static DescriptorChain walk(BoardPort port, long table, int size, int head) throws VirtqueueException {
        if (head >= size) {
            throw new VirtqueueException("available ring names descriptor " + head + ", outside the table of " + size);
        }
        long[] addr = new long[4];
        long[] len = new long[4];
        boolean[] write = new boolean[4];
        int n = 0;
        String problem = null;
        boolean sawWritable = false;
        for (int i = head;;) {
            if (n == size) {
                throw new VirtqueueException("descriptor chain from " + head + " is longer than the queue size " + size + " (a loop)");
            }
            MemorySegment d = port.dma(table + (long) DESCRIPTOR * i, DESCRIPTOR);
            int flags = d.get(Le.U16, 12) & 0xffff;
            if ((flags & F_INDIRECT) != 0) {
                throw new VirtqueueException("descriptor " + i + " is INDIRECT, which the device does not offer");
            }
            if (n == addr.length) {
                addr = Arrays.copyOf(addr, 2 * n);
                len = Arrays.copyOf(len, 2 * n);
                write = Arrays.copyOf(write, 2 * n);
            }
            addr[n] = d.get(Le.U64, 0);
            len[n] = d.get(Le.U32, 8) & 0xffffffffL;
            write[n] = (flags & F_WRITE) != 0;
            if (!write[n] && sawWritable && problem == null) {
                problem = "device-readable descriptor " + i + " follows a device-writable one";
            }
            sawWritable |= write[n];
            n++;
            if ((flags & F_NEXT) == 0) {
                return new DescriptorChain(head, addr, len, write, n, problem);
            }
            int next = d.get(Le.U16, 14) & 0xffff;
            if (next >= size) {
                throw new VirtqueueException("descriptor " + i + " chains to " + next + ", outside the table of " + size);
            }
            i = next;
        }
    }

    int head() {
        return head;
    }

    long readableLength() {
        return readable;
    }

    long writableLength() {
        return writable;
    }

    /** What breaks the framing rules but leaves a status byte to report it in, or null. */
    String problem() {
        return problem;
    }

    /** What is done with each piece of DMA memory a range of a stream covers. */
    @FunctionalInterface
    interface Piece {
        /** {@code dma} holds the bytes at {@code offset} of the range; valid only during the call. */
        void accept(long offset, MemorySegment dma) throws IOException;
    }

    /** Copies {@code dst.byteSize()} bytes from {@code offset} in the device-readable stream. */
    void read(BoardPort port, long offset, MemorySegment dst) {
        uncheckedEach(port, false, offset, dst.byteSize(), (at, dma) -> MemorySegment.copy(dma, 0, dst, at, dma.byteSize()));
    }

    /** Copies all of {@code src} to {@code offset} in the device-writable stream. */
    void write(BoardPort port, long offset, MemorySegment src) {
        uncheckedEach(port, true, offset, src.byteSize(), (at, dma) -> MemorySegment.copy(src, at, dma, 0, dma.byteSize()));
    }

    /**
     * Hands {@code op} the DMA memory of {@code length} bytes from {@code offset} in the
     * device-readable stream, one piece per descriptor, so a backing reads or writes the driver's
     * buffers with no copy between. Memory the driver freed under the device (a closed segment)
     * is a {@link DmaFault}, as an IOMMU fault would be.
     */
    void readable(BoardPort port, long offset, long length, Piece op) throws IOException {
        each(port, false, offset, length, op);
    }

    /** As {@link #readable}, for the device-writable stream. */
    void writable(BoardPort port, long offset, long length, Piece op) throws IOException {
        each(port, true, offset, length, op);
    }

    private void uncheckedEach(BoardPort port, boolean toDriver, long offset, long length, Piece op) {
        try {
            each(port, toDriver, offset, length, op);
        } catch (IOException e) {
            throw new UncheckedIOException("a copy between memory segments threw " + e, e);
        }
    }

    private void each(BoardPort port, boolean toDriver, long offset, long length, Piece op) throws IOException {
        if (offset < 0 || length < 0 || offset + length > (toDriver ? writable : readable)) {
            throw new IndexOutOfBoundsException(length + " bytes at " + offset + " are outside the chain's "
                    + (toDriver ? "device-writable " + writable : "device-readable " + readable) + " bytes");
        }
        long done = 0;
        long pos = 0; // start of descriptor i in its stream
        for (int i = 0; i < count && done < length; i++) {
            if (write[i] != toDriver) {
                continue;
            }
            long end = pos + len[i];
            long at = offset + done;
            if (at < end) {
                long skip = at - pos;
                long k = Math.min(length - done, len[i] - skip);
                MemorySegment buf = port.dma(addr[i] + skip, k);
                try {
                    op.accept(done, buf);
                } catch (IllegalStateException e) {
                    if (buf.scope().isAlive()) {
                        throw e;
                    }
                    throw new DmaFault("DMA of " + k + " bytes at bus address 0x" + Long.toHexString(addr[i] + skip)
                            + ": the driver freed that memory while the device was using it");
                }
                done += k;
            }
            pos = end;
        }
    }
}
