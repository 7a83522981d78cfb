package dev.jdm.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * What a sweep will do to each target: the byte range it writes and why the rest is left alone.
 * Planning refuses, with one clear error, a target that is in use, read-only, not a whole number of
 * blocks, or too small to have anything outside its boot area.
 */
public record SweepPlan(SweepOptions options, List<Target> targets) {
    /** The boot area a sweep leaves alone on a whole device unless told otherwise (MBR, GPT header, boot loader). */
    public static final long BOOT_AREA = SweepDevice.DEFAULT_GUARD;

    /**
     * One target.
     *
     * @param index its position in the run (part of its keystream's nonce)
     * @param start first byte written, a block boundary
     * @param end end of the written range, the device's size
     */
    public record Target(int index, DeviceInfo device, long start, long end) {
        public long length() {
            return end - start;
        }
    }

    /**
     * Plans a run over open devices.
     *
     * @param forWrite whether the run writes; a read-only plan still refuses what a write would
     */
    public static SweepPlan of(List<? extends SweepDevice> devices, SweepOptions options, boolean forWrite) {
        List<Target> out = new ArrayList<>();
        for (SweepDevice d : devices) {
            out.add(target(out.size(), DeviceInfo.of(d), options, forWrite));
        }
        return new SweepPlan(options, List.copyOf(out));
    }

    /**
     * What writing this plan destroys on whole devices, for the confirmation people must give
     * (the prompt and the terminal interface ask the same words), or null when it writes only
     * partitions. A boot area that is written is named, since it holds the partition table.
     */
    public String lossWarning() {
        List<String> kept = new ArrayList<>();
        List<String> included = new ArrayList<>();
        for (Target t : targets) {
            if (t.device().wholeDevice()) {
                (t.start() == 0 ? included : kept).add(t.device().name());
            }
        }
        List<String> parts = new ArrayList<>();
        if (!kept.isEmpty()) {
            parts.add("Everything on " + String.join(", ", kept) + " outside the boot area will be lost.");
        }
        if (!included.isEmpty()) {
            parts.add("Everything on " + String.join(", ", included) + " will be lost, the boot area (partition table, boot loader) included.");
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    static Target target(int index, DeviceInfo d, SweepOptions o, boolean forWrite) {
        String n = d.name();
        int bs = d.logicalBlockSize();
        if (bs <= 0 || Integer.bitCount(bs) != 1) {
            throw new SweepException("EINVAL", n + ": logical block size " + bs + " is not a power of two");
        }
        if (d.size() % bs != 0) {
            throw new SweepException("EINVAL", n + ": size " + d.size() + " is not a multiple of its " + bs + "-byte block; refusing to guess about the tail");
        }
        if (o.chunkSize() % bs != 0) {
            throw new SweepException("EINVAL", n + ": its " + bs + "-byte block does not divide the " + o.chunkSize() + "-byte I/O size");
        }
        if (d.inUseReason().isPresent()) {
            throw new SweepException("EBUSY", n + ": in use (" + d.inUseReason().get() + "); stop using it first");
        }
        if (forWrite && d.readOnly()) {
            throw new SweepException("EROFS", n + ": the device is read-only");
        }
        long start = 0;
        if (d.wholeDevice()) {
            long guard = Math.max(0, d.guardLimit());
            if (o.includeBootArea() && guard >= BOOT_AREA) {
                throw new SweepException("EPERM", n + ": the device guards its first " + Sizes.hex(guard)
                        + " bytes; --include-boot-area needs a device whose driver lowered its guard");
            }
            start = o.includeBootArea() ? guard : Math.max(guard, BOOT_AREA);
            start = (start + bs - 1) / bs * bs;
        }
        if (start >= d.size()) {
            throw new SweepException("EINVAL", n + ": " + Sizes.human(d.size()) + " holds nothing outside its boot area [0, " + Sizes.hex(start) + ")");
        }
        return new Target(index, d, start, d.size());
    }
}
