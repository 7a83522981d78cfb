package dev.jdm.hw.emu.virtio;

/** A device type's configuration structure (virtio 1.2 §2.5), as the transport reads it. */
interface DeviceConfigSpace {
    /** A driver's read of {@code size} bytes at {@code offset} in the structure; 0 past its end. */
    long read(long offset, int size);
}
