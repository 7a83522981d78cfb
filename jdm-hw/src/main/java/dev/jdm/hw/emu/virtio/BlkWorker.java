package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioBlk.*;

import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.Faults;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The block device's worker (virtio 1.2 §5.2.6): takes requests off the queue in order, serves
 * them from the backing and completes them. Data moves through a bounce buffer of its own in
 * chunks: the backing is never called with the lock held or with DMA memory, so a reset or unplug
 * waits at most for one chunk of backing I/O and the driver's buffers are touched only under the
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bounce = arena.allocate(CHUNK, 4096);
            for (VirtioPciFunction.Taken t; (t = function.next()) != null;) {
                try {
                    serve(t, bounce);
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

    private void serve(VirtioPciFunction.Taken t, MemorySegment bounce) throws InterruptedException {
        DescriptorChain c = t.chain();
        if (c.writableLength() == 0) {
            function.fail(t, "descriptor chain " + c.head() + " has no device-writable byte for the status");
            return;
        }
        Done done = execute(t, bounce);
        if (done == null || !function.pause(t, faults.delayMicros())) {
            return; // cut off by a reset, an unplug or DEVICE_NEEDS_RESET
        }
        MemorySegment status = MemorySegment.ofArray(new byte[] {(byte) done.status()});
        function.complete(t, done.written() + 1, port -> c.write(port, c.writableLength() - 1, status));
    }

    /** Serves {@code t}; null if it was cut off. */
    private Done execute(VirtioPciFunction.Taken t, MemorySegment bounce) throws InterruptedException {
        DescriptorChain c = t.chain();
        if (c.problem() != null || c.readableLength() < HEADER) {
            LOG.log(System.Logger.Level.DEBUG, "{0}: malformed request {1}, IOERR: {2}", name, c.head(),
                    c.problem() != null ? c.problem() : "header shorter than " + HEADER + " bytes");
            return Done.IOERR;
        }
        MemorySegment header = MemorySegment.ofArray(new byte[HEADER]);
        if (!function.transfer(t, port -> c.read(port, 0, header))) {
            return null;
        }
        if (faults.nextRequestFails()) {
            return Done.IOERR;
        }
        int type = header.get(Le.U32, 0);
        long sector = header.get(Le.U64, 8);
        try {
            return switch (type) {
                case T_IN -> in(t, sector, bounce);
                case T_OUT -> out(t, sector, bounce);
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

    private Done in(VirtioPciFunction.Taken t, long sector, MemorySegment bounce) throws IOException, InterruptedException {
        DescriptorChain c = t.chain();
        long n = c.writableLength() - 1;
        if (n % SECTOR != 0 || !inRange(sector, n / SECTOR)) {
            return Done.IOERR;
        }
        for (long pos = 0; pos < n; pos += CHUNK) {
            MemorySegment b = bounce.asSlice(0, Math.min(CHUNK, n - pos));
            backing.read(sector * SECTOR + pos, b);
            long at = pos;
            if (!function.transfer(t, port -> c.write(port, at, b))) {
                return null;
            }
        }
        return new Done(S_OK, n);
    }

    private Done out(VirtioPciFunction.Taken t, long sector, MemorySegment bounce) throws IOException, InterruptedException {
        DescriptorChain c = t.chain();
        long n = c.readableLength() - HEADER;
        if (readOnly || n % SECTOR != 0 || !inRange(sector, n / SECTOR)) {
            return Done.IOERR; // §5.2.6.2: a write to a read-only device fails and writes nothing
        }
        for (long pos = 0; pos < n; pos += CHUNK) {
            MemorySegment b = bounce.asSlice(0, Math.min(CHUNK, n - pos));
            long at = HEADER + pos;
            if (!function.transfer(t, port -> c.read(port, at, b))) {
                return null;
            }
            backing.write(sector * SECTOR + pos, b);
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
        return function.transfer(t, port -> c.write(port, 0, src)) ? new Done(S_OK, n) : null;
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
        if (!function.transfer(t, port -> c.read(port, HEADER, segs))) {
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

    /** Sectors [sector, sector + count) lie on the disk; sector is unsigned on the wire. */
    private boolean inRange(long sector, long count) {
        return Long.compareUnsigned(sector, capacity) <= 0 && count <= capacity - sector;
    }
}
