package dev.jdm.sweep.lu;

import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepException;
import java.util.Optional;

/**
 * A {@link SweepDevice} over a block-layer LU, however it is reached: what the LU said of itself
 * when it was opened, and the range checks every implementation owes the sweeper.
 */
abstract class LuSweepDevice implements SweepDevice {
    /**
     * What is known of the LU.
     *
     * @param name the name targets use (an LU name, or the path given on the command line)
     * @param lu the LU's name in the block layer
     * @param guard bytes at the start refused to writes (whole devices)
     * @param writeZeroes whether write-zeroes is used instead of writing zero buffers
     */
    record Facts(String name, String lu, long size, int blockSize, boolean whole, long guard, boolean readOnly, boolean writeZeroes,
            Optional<String> model, Optional<String> serial, Optional<String> label, Optional<String> uuid, Optional<String> table) {}

    protected final Facts facts;

    LuSweepDevice(Facts facts) {
        this.facts = facts;
    }

    @Override
    public String name() {
        return facts.name();
    }

    @Override
    public long size() {
        return facts.size();
    }

    @Override
    public int logicalBlockSize() {
        return facts.blockSize();
    }

    @Override
    public boolean wholeDevice() {
        return facts.whole();
    }

    @Override
    public long guardLimit() {
        return facts.whole() ? facts.guard() : 0;
    }

    @Override
    public boolean readOnly() {
        return facts.readOnly();
    }

    @Override
    public Optional<String> model() {
        return facts.model();
    }

    @Override
    public Optional<String> serial() {
        return facts.serial();
    }

    @Override
    public Optional<String> label() {
        return facts.label();
    }

    @Override
    public Optional<String> uuid() {
        return facts.uuid();
    }

    @Override
    public Optional<String> partitionTableType() {
        return facts.table();
    }

    @Override
    public boolean supportsWriteZeroes() {
        return facts.writeZeroes();
    }

    /** EINVAL unless {@code [offset, offset + length)} is block-aligned, non-empty and inside the device. */
    protected final void checkRange(long offset, long length, String what) {
        int bs = facts.blockSize();
        if (offset < 0 || length <= 0 || offset % bs != 0 || length % bs != 0 || length > facts.size() - offset) {
            throw new SweepException("EINVAL", name() + ": " + what + " at " + offset + "+" + length + " is not whole " + bs
                    + "-byte blocks inside its " + facts.size() + " bytes");
        }
    }

    /** EROFS for a write to a device that refuses them. */
    protected final void checkWritable() {
        if (facts.readOnly()) {
            throw new SweepException("EROFS", name() + ": the device is read-only");
        }
    }
}
