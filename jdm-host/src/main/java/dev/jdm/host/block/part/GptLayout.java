package dev.jdm.host.block.part;

/**
 * The GPT header and entry layouts (UEFI 2.10 section 5.3.2 "GPT Header", table 5.6, and 5.3.3
 * "GPT Partition Entry Array", table 5.7). Offsets in bytes; all integers little-endian.
 */
final class GptLayout {
    static final long SIGNATURE = 0x5452415020494645L;   // "EFI PART"
    static final int H_SIGNATURE = 0;
    static final int H_REVISION = 8;
    static final int H_HEADER_SIZE = 12;
    static final int H_HEADER_CRC = 16;
    static final int H_MY_LBA = 24;
    static final int H_ALTERNATE_LBA = 32;
    static final int H_FIRST_USABLE = 40;
    static final int H_LAST_USABLE = 48;
    static final int H_DISK_GUID = 56;
    static final int H_ENTRIES_LBA = 72;
    static final int H_ENTRY_COUNT = 80;
    static final int H_ENTRY_SIZE = 84;
    static final int H_ENTRIES_CRC = 88;
    static final int HEADER_MIN = 92;

    static final int E_TYPE_GUID = 0;
    static final int E_UNIQUE_GUID = 16;
    static final int E_FIRST_LBA = 32;
    static final int E_LAST_LBA = 40;
    static final int E_ATTRIBUTES = 48;
    static final int E_NAME = 56;               // 36 UTF-16LE code units
    static final int E_NAME_BYTES = 72;
    static final int ENTRY_MIN = 128;

    /** Limits that keep a lying header from making us read much: 128 KiB of entries at most. */
    static final int MAX_ENTRY_COUNT = 1024;
    static final int MAX_ENTRY_SIZE = 1024;
    static final int MAX_ENTRY_BYTES = 128 * 1024;

    private GptLayout() {}
}
