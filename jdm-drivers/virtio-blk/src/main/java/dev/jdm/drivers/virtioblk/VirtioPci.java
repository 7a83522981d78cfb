package dev.jdm.drivers.virtioblk;

import dev.jdm.abi.hw.HwDevice;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Mmio;
import dev.jdm.abi.hw.PciConfig;

/**
 * The virtio-over-PCI transport of a modern (1.x) device, virtio 1.2 §4.1: the vendor capabilities
 * that place the common, notify, ISR and device-specific structures in BARs, and the common
 * configuration's registers, by their offsets in §4.1.4.3.
 */
final class VirtioPci {
    static final int ACKNOWLEDGE = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 0x40, FAILED = 0x80;
    static final int NO_VECTOR = 0xffff;
    private static final int VENDOR_CAP = 0x09;
    private static final int COMMON = 1, NOTIFY = 2, ISR = 3, DEVICE = 4;
    // common configuration (struct virtio_pci_common_cfg)
    private static final int DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08, DRIVER_FEATURE = 0x0c,
            CONFIG_MSIX_VECTOR = 0x10, NUM_QUEUES = 0x12, DEVICE_STATUS = 0x14, CONFIG_GENERATION = 0x15, QUEUE_SELECT = 0x16,
            QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1a, QUEUE_ENABLE = 0x1c, QUEUE_NOTIFY_OFF = 0x1e, QUEUE_DESC = 0x20,
            QUEUE_DRIVER = 0x28, QUEUE_DEVICE = 0x30;

    /** Where one structure lies: a window on its BAR, and its offset and length there. */
    private record Region(Mmio bar, long offset, long length) {}

    private final String name;
    private final Region common;
    private final Region notify;
    private final long notifyMultiplier;
    private final Region isr;
    private final Region device;

    VirtioPci(HwDevice dev) {
        this.name = dev.name();
        PciConfig config = dev.config();
        Region c = null, n = null, i = null, d = null;
        long multiplier = 0;
        for (int at = config.findCapability(VENDOR_CAP, 0); at != 0; at = config.findCapability(VENDOR_CAP, at + 1)) {
            int type = config.read(at + 3, 1);
            int bar = config.read(at + 4, 1);
            if (bar > 5 || (type != COMMON && type != NOTIFY && type != ISR && type != DEVICE)) {
                continue; // PCI config access (5), shared memory (8) and vendor data: not used
            }
            Region r = new Region(dev.mmio(bar), config.read(at + 8, 4) & 0xffffffffL, config.read(at + 12, 4) & 0xffffffffL);
            // the spec lets a device offer a structure more than once; the first one is the preferred one
            switch (type) {
                case COMMON -> c = c == null ? r : c;
                case ISR -> i = i == null ? r : i;
                case DEVICE -> d = d == null ? r : d;
                default -> {
                    if (n == null) {
                        n = r;
                        multiplier = config.read(at + 16, 4) & 0xffffffffL;
                    }
                }
            }
        }
        if (c == null || n == null || i == null || d == null) {
            throw new HwException(HwException.ENODEV, name + ": not a modern virtio device: the common, notify, ISR or device capability is missing");
        }
        this.common = c;
        this.notify = n;
        this.notifyMultiplier = multiplier;
        this.isr = i;
        this.device = d;
    }

    /** The window the notify structure is in: its barriers order ring writes before the doorbell. */
    Mmio notifyWindow() {
        return notify.bar;
    }

    int status() {
        return common.bar.read8(common.offset + DEVICE_STATUS);
    }

    void addStatus(int bits) {
        common.bar.write8(common.offset + DEVICE_STATUS, status() | bits);
    }

    void fail() {
        addStatus(FAILED);
    }

    /**
     * Resets the device and waits until it reads back 0 (§4.1.4.3.1): the device has then dropped
     * every queue and stopped touching DMA memory.
     *
     * @throws HwException ETIMEDOUT if it does not complete the reset in time
     */
    void reset(long timeoutMillis) {
        common.bar.write8(common.offset + DEVICE_STATUS, 0);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        int spins = 0;
        while (status() != 0) {
            if (System.nanoTime() > deadline) {
                throw new HwException(HwException.ETIMEDOUT, name + ": the device did not complete its reset in " + timeoutMillis + " ms (status 0x"
                        + Integer.toHexString(status()) + ")");
            }
            if (++spins > 100) {
                Thread.onSpinWait();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new HwException(HwException.ETIMEDOUT, name + ": interrupted while waiting for the reset");
                }
            }
        }
    }

    long deviceFeatures() {
        return featureWords(DEVICE_FEATURE_SELECT, DEVICE_FEATURE);
    }

    void driverFeatures(long features) {
        for (int word = 0; word < 2; word++) {
            common.bar.write32(common.offset + DRIVER_FEATURE_SELECT, word);
            common.bar.write32(common.offset + DRIVER_FEATURE, (int) (features >>> (32 * word)));
        }
    }

    private long featureWords(int select, int value) {
        long f = 0;
        for (int word = 0; word < 2; word++) {
            common.bar.write32(common.offset + select, word);
            f |= (common.bar.read32(common.offset + value) & 0xffffffffL) << (32 * word);
        }
        return f;
    }

    int numQueues() {
        return common.bar.read16(common.offset + NUM_QUEUES);
    }

    /** Sets the configuration-change vector; returns what the device kept (NO_VECTOR if it could not take it). */
    int configVector(int vector) {
        common.bar.write16(common.offset + CONFIG_MSIX_VECTOR, vector);
        return common.bar.read16(common.offset + CONFIG_MSIX_VECTOR);
    }

    /** The largest size queue {@code index} takes; 0 if it does not exist. */
    int queueMaxSize(int index) {
        common.bar.write16(common.offset + QUEUE_SELECT, index);
        return common.bar.read16(common.offset + QUEUE_SIZE);
    }

    /**
     * Sets queue {@code index} up at the given bus addresses and enables it; returns the vector the
     * device kept for it.
     */
    int enableQueue(int index, int size, long desc, long driverArea, long deviceArea, int vector) {
        Mmio b = common.bar;
        long o = common.offset;
        b.write16(o + QUEUE_SELECT, index);
        b.write16(o + QUEUE_SIZE, size);
        b.write64(o + QUEUE_DESC, desc);
        b.write64(o + QUEUE_DRIVER, driverArea);
        b.write64(o + QUEUE_DEVICE, deviceArea);
        b.write16(o + QUEUE_MSIX_VECTOR, vector);
        int kept = b.read16(o + QUEUE_MSIX_VECTOR);
        b.write16(o + QUEUE_ENABLE, 1);
        return kept;
    }

    /** Where the driver writes to notify queue {@code index}, as an offset into the notify BAR. */
    long notifyOffset(int index) {
        common.bar.write16(common.offset + QUEUE_SELECT, index);
        long off = common.bar.read16(common.offset + QUEUE_NOTIFY_OFF) * notifyMultiplier;
        if (off + 2 > notify.length) {
            throw new HwException(HwException.ENODEV, name + ": queue " + index + "'s notify address lies outside the notify structure");
        }
        return notify.offset + off;
    }

    void notifyQueue(long offset, int index) {
        notify.bar.write16(offset, index);
    }

    /** Reads and so clears the ISR status (bit 0 a queue interrupt, bit 1 a configuration change). */
    int readIsr() {
        return isr.bar.read8(isr.offset);
    }

    /** The device-specific configuration, read consistently: again while config_generation changes (§4.1.4.3.1). */
    <T> T deviceConfig(java.util.function.Function<DeviceConfig, T> reader) {
        while (true) {
            int before = common.bar.read8(common.offset + CONFIG_GENERATION);
            T value = reader.apply(new DeviceConfig());
            if (common.bar.read8(common.offset + CONFIG_GENERATION) == before) {
                return value;
            }
        }
    }

    /** Reads of the device-specific structure, bounded by its length. */
    final class DeviceConfig {
        int u8(int off) {
            check(off, 1);
            return device.bar.read8(device.offset + off);
        }

        int u32(int off) {
            check(off, 4);
            return device.bar.read32(device.offset + off);
        }

        long u64(int off) {
            check(off, 8);
            // two 32-bit reads, as a driver may not assume 64-bit accesses to device configuration
            return (device.bar.read32(device.offset + off) & 0xffffffffL) | (long) device.bar.read32(device.offset + off + 4) << 32;
        }

        private void check(int off, int size) {
            if (off + size > device.length) {
                throw new HwException(HwException.ENODEV, name + ": device configuration is " + device.length + " bytes, field at " + off + " is beyond it");
            }
        }
    }
}
