package dev.jdm.sweep;

import java.util.Optional;

/** What {@link SweepDevices#list()} shows of a device, without opening it. */
public record DeviceInfo(String name, long size, int logicalBlockSize, boolean wholeDevice, long guardLimit,
        boolean readOnly, Optional<String> model, Optional<String> serial, Optional<String> label,
        Optional<String> uuid, Optional<String> partitionTableType, Optional<String> inUseReason,
        boolean supportsWriteZeroes) {

    /** The description of an open device. */
    public static DeviceInfo of(SweepDevice d) {
        return new DeviceInfo(d.name(), d.size(), d.logicalBlockSize(), d.wholeDevice(), d.guardLimit(), d.readOnly(),
                d.model(), d.serial(), d.label(), d.uuid(), d.partitionTableType(), d.inUseReason(), d.supportsWriteZeroes());
    }
}
