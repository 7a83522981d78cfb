package dev.jdm.hw.emu.virtio;

/**
 * struct virtio_blk_config (virtio 1.2 §5.2.4), read-only: this device offers neither CONFIG_WCE
 * (the only writable field, writeback) nor anything that changes during operation, so
 * config_generation never moves. Fields of features not offered (size_max, geometry, topology,
 * num_queues, secure erase, zoned) read as 0.
 */
final class BlkDeviceConfig implements DeviceConfigSpace {
    static final int CAPACITY = 0, SIZE_MAX = 8, SEG_MAX = 12, GEOMETRY = 16, BLK_SIZE = 20, TOPOLOGY = 24, WRITEBACK = 32,
            NUM_QUEUES = 34, MAX_DISCARD_SECTORS = 36, MAX_DISCARD_SEG = 40, DISCARD_SECTOR_ALIGNMENT = 44,
            MAX_WRITE_ZEROES_SECTORS = 48, MAX_WRITE_ZEROES_SEG = 52, WRITE_ZEROES_MAY_UNMAP = 56, LENGTH = 60;

    private final byte[] bytes = new byte[LENGTH];

    /** The configuration of a disk of {@code capacity} 512-byte sectors. */
    BlkDeviceConfig(long capacity) {
        Le.put(bytes, CAPACITY, 8, capacity);
        Le.put(bytes, SEG_MAX, 4, VirtioBlk.SEG_MAX);
        Le.put(bytes, BLK_SIZE, 4, VirtioBlk.BLK_SIZE);
        Le.put(bytes, MAX_DISCARD_SECTORS, 4, VirtioBlk.MAX_DISCARD_SECTORS);
        Le.put(bytes, MAX_DISCARD_SEG, 4, VirtioBlk.MAX_DISCARD_SEG);
        Le.put(bytes, DISCARD_SECTOR_ALIGNMENT, 4, VirtioBlk.DISCARD_SECTOR_ALIGNMENT);
        Le.put(bytes, MAX_WRITE_ZEROES_SECTORS, 4, VirtioBlk.MAX_WRITE_ZEROES_SECTORS);
        Le.put(bytes, MAX_WRITE_ZEROES_SEG, 4, VirtioBlk.MAX_WRITE_ZEROES_SEG);
        // write zeroes with unmap may deallocate: a file backing punches a hole
        Le.put(bytes, WRITE_ZEROES_MAY_UNMAP, 1, 1);
    }

    /**
     * A read at {@code offset} inside the device configuration. Any width is answered with the
     * bytes that lie there (the spec asks drivers for natural widths; answering others costs nothing).
     */
    @Override
    public long read(long offset, int size) {
        return Le.get(bytes, offset, size);
    }
}
