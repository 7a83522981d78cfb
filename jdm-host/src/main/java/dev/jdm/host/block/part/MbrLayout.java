package dev.jdm.host.block.part;

/**
 * The MBR and EBR sector layout (the IBM PC partition table; UEFI 2.10 section 5.2.1 "Legacy MBR").
 * Offsets are bytes into the 512-byte sector; entry offsets are relative to the entry.
 */
final class MbrLayout {
    static final int SECTOR = 512;
    static final int DISK_SIGNATURE = 440;     // uint32 LE
    static final int ENTRIES = 446;
    static final int ENTRY_SIZE = 16;
    static final int ENTRY_COUNT = 4;
    static final int BOOT_SIGNATURE = 510;     // 0x55 0xAA
    static final int ENTRY_STATUS = 0;         // 0x80 bootable
    static final int ENTRY_TYPE = 4;
    static final int ENTRY_FIRST_LBA = 8;      // uint32 LE
    static final int ENTRY_SECTORS = 12;       // uint32 LE

    static final int TYPE_EMPTY = 0x00;
    static final int TYPE_GPT_PROTECTIVE = 0xEE;

    /** Extended partition types: CHS, LBA, and Linux extended. */
    static boolean isExtended(int type) {
        return type == 0x05 || type == 0x0F || type == 0x85;
    }

    /** Most logical partitions followed in an EBR chain (Linux stops far earlier in practice). */
    static final int MAX_LOGICAL = 128;

    private MbrLayout() {}

    static int entry(int index) {
        return ENTRIES + index * ENTRY_SIZE;
    }
}
