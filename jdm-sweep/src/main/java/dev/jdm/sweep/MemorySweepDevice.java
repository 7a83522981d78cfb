package dev.jdm.sweep;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A device in off-heap memory (FFM), for tests and as a fallback where no block layer is at hand.
 * Its contents live as long as this object; {@link #free()} releases them. Writes are durable at
 * once, so {@link #flush()} only counts.
 */
public final class MemorySweepDevice implements SweepDevice {
    /** The descriptive attributes of a memory device; {@code null} strings are unknown. */
    public record Spec(String name, long size, int blockSize, boolean whole, long guard, boolean readOnly,
            boolean writeZeroes, String model, String serial, String inUse) {
        /** A whole device with a 512-byte block, the default guard and write-zeroes. */
        public static Spec whole(String name, long size) {
            return new Spec(name, size, 512, true, DEFAULT_GUARD, false, true, null, null, null);
        }

        /** A partition with a 512-byte block and no write-zeroes. */
        public static Spec partition(String name, long size) {
            return new Spec(name, size, 512, false, 0, false, false, null, null, null);
        }

        public Spec withBlockSize(int bs) {
            return new Spec(name, size, bs, whole, guard, readOnly, writeZeroes, model, serial, inUse);
        }

        public Spec withGuard(long g) {
            return new Spec(name, size, blockSize, whole, g, readOnly, writeZeroes, model, serial, inUse);
        }

        public Spec withWriteZeroes(boolean wz) {
            return new Spec(name, size, blockSize, whole, guard, readOnly, wz, model, serial, inUse);
        }

        public Spec withReadOnly(boolean ro) {
            return new Spec(name, size, blockSize, whole, guard, ro, writeZeroes, model, serial, inUse);
        }

        public Spec withIdentity(String m, String s) {
            return new Spec(name, size, blockSize, whole, guard, readOnly, writeZeroes, m, s, inUse);
        }

        public Spec withInUse(String reason) {
            return new Spec(name, size, blockSize, whole, guard, readOnly, writeZeroes, model, serial, reason);
        }
    }

    private final Spec spec;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;
    private volatile long flushes;

    public MemorySweepDevice(Spec spec) {
        if (spec.blockSize() <= 0 || Integer.bitCount(spec.blockSize()) != 1) {
            throw new SweepException("EINVAL", spec.name() + ": block size " + spec.blockSize() + " is not a power of two");
        }
        if (spec.size() < 0) {
            throw new SweepException("EINVAL", spec.name() + ": negative size");
        }
        this.spec = spec;
        this.data = arena.allocate(Math.max(spec.size(), 1), 4096).asSlice(0, spec.size());
    }

    /** The contents, for tests and for filling. */
    public MemorySegment contents() {
        return data;
    }

    /** How many flushes were asked for. */
    public long flushes() {
        return flushes;
    }

    /** Releases the memory; the device must not be used afterwards. */
    public void free() {
        arena.close();
    }

    @Override public String name() { return spec.name(); }
    @Override public long size() { return spec.size(); }
    @Override public int logicalBlockSize() { return spec.blockSize(); }
    @Override public boolean wholeDevice() { return spec.whole(); }
    @Override public long guardLimit() { return spec.whole() ? spec.guard() : 0; }
    @Override public boolean readOnly() { return spec.readOnly(); }
    @Override public boolean supportsWriteZeroes() { return spec.writeZeroes(); }
    @Override public Optional<String> model() { return Optional.ofNullable(spec.model()); }
    @Override public Optional<String> serial() { return Optional.ofNullable(spec.serial()); }
    @Override public Optional<String> inUseReason() { return Optional.ofNullable(spec.inUse()); }

    @Override
    public void read(long offset, MemorySegment dst) {
        check(offset, dst.byteSize());
        MemorySegment.copy(data, offset, dst, 0, dst.byteSize());
    }

    @Override
    public void write(long offset, MemorySegment src, boolean fua) {
        checkWritable();
        check(offset, src.byteSize());
        MemorySegment.copy(src, 0, data, offset, src.byteSize());
    }

    @Override
    public void writeZeroes(long offset, long length) {
        if (!spec.writeZeroes()) {
            SweepDevice.super.writeZeroes(offset, length);
        }
        checkWritable();
        check(offset, length);
        data.asSlice(offset, length).fill((byte) 0);
    }

    @Override
    public void flush() {
        flushes++;
    }

    private void checkWritable() {
        if (spec.readOnly()) {
            throw new SweepException("EROFS", spec.name() + ": read-only device");
        }
    }

    private void check(long offset, long length) {
        int bs = spec.blockSize();
        if (offset < 0 || length < 0 || offset % bs != 0 || length % bs != 0 || offset > spec.size() - length) {
            throw new SweepException("EINVAL", spec.name() + ": I/O at " + offset + "+" + length
                    + " is not within the device in whole " + bs + "-byte blocks");
        }
    }
}
