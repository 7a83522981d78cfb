package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;

import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.Faults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;

/**
 * One of the block device's workers (virtio 1.2 §5.2.6): takes the next request off the queue,
 * serves it from the backing and completes it; the device's other workers do the same meanwhile.
 * Data moves once, between the backing and the driver's DMA buffers, in chunks of at most 256
 * KiB, each a {@link VirtioPciFunction#copy} outside the device's lock: a reset or unplug waits at
 * most for one chunk's backing call per worker, and the buffers are touched only under the
 * transport's checks.
 *
 * <pre>
 *   struct virtio_blk_req { le32 type; le32 reserved; le64 sector;   (device-readable)
 *                           u8 data[];                               (readable for OUT, writable for IN)
 *                           u8 status; }                             (device-writable, the last byte)
 * </pre>
 */
final class BlkWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger(BlkWorker.class.getName());
    /** The most one backing call moves, so that a reset or unplug is not held up by a whole large request. */
    private static final int CHUNK = 256 * 1024;

    /** A served request: its status and how many data bytes it wrote before the status byte. */
    private record Done(int status, long written) {
        static final Done IOERR = new Done(S_IOERR, 0), UNSUPP = new Done(S_UNSUPP, 0), OK = new Done(S_OK, 0);
    }

    private final VirtioPciFunction function;
    private final Backing backing;
    private final boolean readOnly;
    private final byte[] id;
    private final Faults faults;
    private final long capacity;
    private final String name;

    BlkWorker(VirtioPciFunction function, Backing backing, boolean readOnly, byte[] id, Faults faults, String name) {
        this.function = function;
        this.name = name;
        this.backing = backing;
        this.readOnly = readOnly;
        this.id = id;
        this.faults = faults;
        this.capacity = backing.size() / SECTOR;
    }

    @Override
    public void run() {
        try {
            for (VirtioPciFunction.Taken t; (t = function.next()) != null;) {
                try {
                    serve(t);
                } catch (RuntimeException e) {
                    // a fault of the model, not of the driver: stop the queue visibly rather than lose the worker
                    LOG.log(System.Logger.Level.ERROR, name + ": request " + t.chain().head() + " broke the device model", e);
                    function.fail(t, "internal error serving request " + t.chain().head() + ": " + e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Serves at most {@code chains} of the chains available now on the calling thread, then
     * returns: a kick served in the thread that wrote the doorbell, as QEMU serves one in the vCPU
     * thread when ioeventfd is off.
     */
    void serve(int chains) {
        try {
            VirtioPciFunction.Taken t;
            for (int i = 0; i < chains && (t = function.poll()) != null; i++) {
                try {
                    serve(t);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, name + ": request " + t.chain().head() + " broke the device model", e);
                    function.fail(t, "internal error serving request " + t.chain().head() + ": " + e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(VirtioPciFunction.Taken t) throws InterruptedException {
        DescriptorChain c = t.chain();
        if (c.writableLength() == 0) {
            function.fail(t, "descriptor chain " + c.head() + " has no device-writable byte for the status");
            return;
        }
        Done done = execute(t);
        if (done == null || !function.pause(t, faults.delayMicros())) {
            return; // cut off by a reset, an unplug or DEVICE_NEEDS_RESET
        }
        MemorySegment status = MemorySegment.ofArray(new byte[] {(byte) done.status()});
        function.complete(t, done.written() + 1, port -> c.write(port, c.writableLength() - 1, status));
    }

    /** Serves {@code t}; null if it was cut off. */
    private Done execute(VirtioPciFunction.Taken t) throws InterruptedException {
        DescriptorChain c = t.chain();
        if (c.problem() != null || c.readableLength() < HEADER) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: malformed request {1}, IOERR: {2}", name, c.head(),
                    c.problem() != null ? c.problem() : "header shorter than " + HEADER + " bytes");
            return Done.IOERR;
        }
        MemorySegment header = MemorySegment.ofArray(new byte[HEADER]);
        if (!copy(t, port -> c.read(port, 0, header))) {
            return null;
        }
        if (faults.nextRequestFails()) {
            return Done.IOERR;
        }
        int type = header.get(Le.U32, 0);
        long sector = header.get(Le.U64, 8);
        try {
            return switch (type) {
                case T_IN -> in(t, sector);
                case T_OUT -> out(t, sector);
                case T_FLUSH -> {
                    backing.flush();
                    yield Done.OK;
                }
                case T_GET_ID -> getId(t);
                case T_DISCARD, T_WRITE_ZEROES -> ranges(t, type == T_DISCARD);
                default -> Done.UNSUPP;
            };
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": request type " + type + " at sector " + Long.toUnsignedString(sector)
                    + " failed in the backing, the driver gets IOERR: " + e, e);
            return Done.IOERR;
        }
    }

    /** Reads the backing straight into the driver's buffers. */
    private Done in(VirtioPciFunction.Taken t, long sector) throws IOException, InterruptedException {
        DescriptorChain c = t.chain();
        long n = c.writableLength() - 1;
        if (n % SECTOR != 0 || !inRange(sector, n / SECTOR)) {
            return Done.IOERR;
        }
        for (long pos = 0; pos < n; pos += CHUNK) {
            long at = pos, k = Math.min(CHUNK, n - pos), disk = sector * SECTOR + pos;
            if (!function.copy(t, port -> c.writable(port, at, k, (off, dma) -> backing.read(disk + off, dma)))) {
                return null;
            }
        }
        return new Done(S_OK, n);
    }

    /** Writes the driver's buffers straight to the backing. */
    private Done out(VirtioPciFunction.Taken t, long sector) throws IOException, InterruptedException {
        DescriptorChain c = t.chain();
        long n = c.readableLength() - HEADER;
        if (readOnly || n % SECTOR != 0 || !inRange(sector, n / SECTOR)) {
            return Done.IOERR; // §5.2.6.2: a write to a read-only device fails and writes nothing
        }
        for (long pos = 0; pos < n; pos += CHUNK) {
            long at = HEADER + pos, k = Math.min(CHUNK, n - pos), disk = sector * SECTOR + pos;
            if (!function.copy(t, port -> c.readable(port, at, k, (off, dma) -> backing.write(disk + off, dma)))) {
                return null;
            }
        }
        return Done.OK;
    }

    /** The ID string, NUL-padded to 20 bytes, into as much of the data as there is (§5.2.6). */
    private Done getId(VirtioPciFunction.Taken t) throws InterruptedException {
        DescriptorChain c = t.chain();
        int n = (int) Math.min(ID_LENGTH, c.writableLength() - 1);
        byte[] padded = new byte[ID_LENGTH];
        System.arraycopy(id, 0, padded, 0, id.length);
        MemorySegment src = MemorySegment.ofArray(padded).asSlice(0, n);
        return copy(t, port -> c.write(port, 0, src)) ? new Done(S_OK, n) : null;
    }

    /**
     * DISCARD and WRITE_ZEROES: all segments are checked before any is carried out, so an
     * unsupported flag (§5.2.6.2: any unknown flag, or unmap on a discard) or a bad range changes
     * nothing.
     */
    private Done ranges(VirtioPciFunction.Taken t, boolean discard) throws IOException, InterruptedException {
        DescriptorChain c = t.chain();
        if ((t.features() & bit(discard ? F_DISCARD : F_WRITE_ZEROES)) == 0) {
            return Done.UNSUPP;
        }
        long bytes = c.readableLength() - HEADER;
        int maxSeg = discard ? MAX_DISCARD_SEG : MAX_WRITE_ZEROES_SEG;
        long maxSectors = discard ? MAX_DISCARD_SECTORS : MAX_WRITE_ZEROES_SECTORS;
        if (readOnly || bytes == 0 || bytes % SEGMENT != 0 || bytes / SEGMENT > maxSeg) {
            return Done.IOERR;
        }
        MemorySegment segs = MemorySegment.ofArray(new byte[(int) bytes]);
        if (!copy(t, port -> c.read(port, HEADER, segs))) {
            return null;
        }
        for (long at = 0; at < bytes; at += SEGMENT) {
            int flags = segs.get(Le.U32, at + 12);
            if ((flags & ~SEGMENT_UNMAP) != 0 || (discard && flags != 0)) {
                return Done.UNSUPP;
            }
            long count = segs.get(Le.U32, at + 8) & 0xffffffffL;
            if (count > maxSectors || !inRange(segs.get(Le.U64, at), count)) {
                return Done.IOERR;
            }
        }
        for (long at = 0; at < bytes; at += SEGMENT) {
            long offset = segs.get(Le.U64, at) * SECTOR;
            long length = (segs.get(Le.U32, at + 8) & 0xffffffffL) * SECTOR;
            if (discard) {
                backing.discard(offset, length);
            } else {
                backing.writeZeroes(offset, length);
            }
        }
        return Done.OK;
    }

    /** A copy between the driver's buffers and memory of the worker's own, which cannot fail in the backing. */
    private boolean copy(VirtioPciFunction.Taken t, VirtioPciFunction.Copy op) throws InterruptedException {
        try {
            return function.copy(t, op);
        } catch (IOException e) {
            throw new UncheckedIOException("a copy between memory segments threw " + e, e);
        }
    }

    /** Sectors [sector, sector + count) lie on the disk; sector is unsigned on the wire. */
    private boolean inRange(long sector, long count) {
        return Long.compareUnsigned(sector, capacity) <= 0 && count <= capacity - sector;
    }
}
