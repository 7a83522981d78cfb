package dev.jdm.hw.emu.virtio;

/**
 * A virtqueue the device cannot serve: a ring index or descriptor chain that breaks the driver's
 * rules so that no used element or status can be put back. The device sets DEVICE_NEEDS_RESET
 * (virtio 1.2 §2.1.2) with this message.
 */
final class VirtqueueException extends Exception {
    private static final long serialVersionUID = 1L;

    VirtqueueException(String message) {
        super(message);
    }
}
