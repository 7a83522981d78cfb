package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockDevice;
import java.util.Map;

/**
 * What the block layer tells about one LU (for {@code jdm blk ls}, the NBD export and the wiper).
 *
 * @param name LU name ({@code ram0}, {@code ram0p1})
 * @param module the driver module serving it
 * @param size bytes
 * @param logicalBlockSize smallest addressable unit
 * @param physicalBlockSize preferred I/O unit
 * @param capabilities {@link BlockDevice} capability bits
 * @param bootGuard bytes at the start of this LU that refuse writes (for a partition: what of its disk's guard reaches into it)
 * @param disk the whole device of a partition; empty for a whole device
 * @param diskOffset where a partition starts on its disk
 * @param tableType whole devices: {@code gpt}, {@code dos} or {@code none}; partitions: empty
 * @param uuid whole devices: GPT disk GUID or MBR signature; partitions: PARTUUID; empty if none
 * @param label GPT partition name; empty if none
 * @param partType partition type (MBR byte {@code 0x83} or GPT type GUID); empty for whole devices
 * @param holders who has it open (e.g. {@code nbd}, {@code sweep}) and how often
 */
public record LuInfo(String name, String module, long size, int logicalBlockSize, int physicalBlockSize, int capabilities, long bootGuard,
        String disk, long diskOffset, String tableType, String uuid, String label, String partType, Map<String, Integer> holders) {
    public LuInfo {
        holders = Map.copyOf(holders);
    }

    /** Whether a capability bit is set. */
    public boolean has(int capability) {
        return (capabilities & capability) != 0;
    }

    public boolean readOnly() {
        return has(BlockDevice.READ_ONLY);
    }

    /** Open references over all holders. */
    public int openCount() {
        return holders.values().stream().mapToInt(Integer::intValue).sum();
    }

    public boolean isPartition() {
        return !disk.isEmpty();
    }

    /** Capability names, e.g. {@code [flush, fua, discard]}. */
    public java.util.List<String> capabilityNames() {
        String[] names = {"ro", "flush", "fua", "discard", "write-zeroes", "fast-zero", "rotational"};
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            if ((capabilities & (1 << i)) != 0) {
                out.add(names[i]);
            }
        }
        return out;
    }
}
