package dev.jdm.host.block.part;

/**
 * One partition found in a table.
 *
 * @param number partition number (GPT: entry index + 1; MBR: 1-4 primary, 5.. logical)
 * @param start byte offset on the disk
 * @param length bytes
 * @param type MBR type byte as {@code 0x83}, or the GPT type GUID
 * @param uuid GPT unique partition GUID, or the MBR PARTUUID ({@code sig-NN}); empty if none
 * @param label GPT partition name; empty for MBR
 */
public record Partition(int number, long start, long length, String type, String uuid, String label) {
    /** One past the last byte. */
    public long end() {
        return start + length;
    }
}
