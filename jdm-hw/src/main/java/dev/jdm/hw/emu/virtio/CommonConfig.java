package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;

import dev.jdm.hw.emu.Faults;

/**
 * The common configuration structure (virtio 1.2 §4.1.4.3): feature negotiation, device status
 * and reset, and the selected queue's registers. Each field answers only an access of its own
 * width at its own offset (64-bit fields also as two 32-bit halves, §4.1.3.1); any other access
 * reads 0 and writes nothing, so a driver's mistake never reaches the device's state. The owner
 * serialises calls.
 */
final class CommonConfig {
    /** What the owner does when the registers change the device's state. */
    interface Listener {
        /** A reset completed: in-flight requests are dropped, interrupts cleared. */
        void resetDone();

        /** Something the worker may be waiting for changed: status, a queue enable, a kick. */
        void changed();
    }

    private final long deviceFeatures;
    private final int vectors;
    private final Faults faults;
    private final Listener listener;
    private final SplitVirtqueue queue = new SplitVirtqueue();
    private int deviceFeatureSelect;
    private int driverFeatureSelect;
    private long driverFeatures;
    private int configVector = NO_VECTOR;
    private int status;
    private boolean resetPending;
    private int queueSelect;

    CommonConfig(long deviceFeatures, int vectors, Faults faults, Listener listener) {
        this.deviceFeatures = deviceFeatures;
        this.vectors = vectors;
        this.faults = faults;
        this.listener = listener;
    }

    SplitVirtqueue queue() {
        return queue;
    }

    int configVector() {
        return configVector;
    }

    long driverFeatures() {
        return driverFeatures;
    }

    /** DRIVER_OK after FEATURES_OK, no reset pending, no NEEDS_RESET or FAILED, the queue enabled. */
    boolean running() {
        int need = STATUS_FEATURES_OK | STATUS_DRIVER_OK;
        return healthy() && (status & need) == need && (status & STATUS_FAILED) == 0 && queue.enabled();
    }

    /** No reset pending and no DEVICE_NEEDS_RESET: work in flight may still complete. */
    boolean healthy() {
        return !resetPending && (status & STATUS_NEEDS_RESET) == 0;
    }

    /** Sets DEVICE_NEEDS_RESET; true if it was newly set while DRIVER_OK, so the driver must be told (§2.1.2). */
    boolean markNeedsReset() {
        boolean tell = (status & (STATUS_NEEDS_RESET | STATUS_DRIVER_OK)) == STATUS_DRIVER_OK;
        status |= STATUS_NEEDS_RESET;
        return tell;
    }

    long read(int offset, int size) {
        boolean q = queueSelect == 0;
        return switch (offset) {
            case DEVICE_FEATURE_SELECT -> size == 4 ? deviceFeatureSelect : 0;
            case DEVICE_FEATURE -> size == 4 ? half(deviceFeatures, deviceFeatureSelect) : 0;
            case DRIVER_FEATURE_SELECT -> size == 4 ? driverFeatureSelect : 0;
            case DRIVER_FEATURE -> size == 4 ? half(driverFeatures, driverFeatureSelect) : 0;
            case CONFIG_MSIX_VECTOR -> size == 2 ? configVector : 0;
            case NUM_QUEUES -> size == 2 ? 1 : 0;
            case DEVICE_STATUS -> size == 1 ? status() : 0;
            case CONFIG_GENERATION -> 0; // the configuration never changes (BlkDeviceConfig)
            case QUEUE_SELECT -> size == 2 ? queueSelect : 0;
            case QUEUE_SIZE -> size == 2 && q ? queue.size() : 0;
            case QUEUE_MSIX_VECTOR -> size == 2 ? (q ? queue.msixVector() : NO_VECTOR) : 0;
            case QUEUE_ENABLE -> size == 2 && q && queue.enabled() ? 1 : 0;
            case QUEUE_NOTIFY_OFF -> 0; // queue 0 notifies at the start of the notify structure
            case QUEUE_DESC, QUEUE_DESC + 4 -> q ? area(offset - QUEUE_DESC, size, queue.desc()) : 0;
            case QUEUE_DRIVER, QUEUE_DRIVER + 4 -> q ? area(offset - QUEUE_DRIVER, size, queue.driver()) : 0;
            case QUEUE_DEVICE, QUEUE_DEVICE + 4 -> q ? area(offset - QUEUE_DEVICE, size, queue.device()) : 0;
            default -> 0;
        };
    }

    void write(int offset, int size, long value) {
        int v16 = (int) value & 0xffff;
        boolean q = queueSelect == 0;
        switch (offset) {
            case DEVICE_FEATURE_SELECT -> {
                if (size == 4) {
                    deviceFeatureSelect = (int) value;
                }
            }
            case DRIVER_FEATURE_SELECT -> {
                if (size == 4) {
                    driverFeatureSelect = (int) value;
                }
            }
            case DRIVER_FEATURE -> {
                // features are fixed once FEATURES_OK is accepted (§3.1.1)
                if (size == 4 && (status & STATUS_FEATURES_OK) == 0 && !resetPending && (driverFeatureSelect & ~1) == 0) {
                    int shift = 32 * driverFeatureSelect;
                    driverFeatures = (driverFeatures & ~(0xffffffffL << shift)) | ((value & 0xffffffffL) << shift);
                }
            }
            case CONFIG_MSIX_VECTOR -> {
                if (size == 2) {
                    configVector = vector(v16);
                }
            }
            case DEVICE_STATUS -> {
                if (size == 1) {
                    writeStatus((int) value & 0xff);
                }
            }
            case QUEUE_SELECT -> {
                if (size == 2) {
                    queueSelect = v16;
                }
            }
            case QUEUE_SIZE -> {
                if (size == 2 && q) {
                    queue.size(v16);
                }
            }
            case QUEUE_MSIX_VECTOR -> {
                if (size == 2 && q) {
                    queue.msixVector(vector(v16));
                }
            }
            case QUEUE_ENABLE -> {
                // 0 is not the driver's to write (§4.1.4.3.2); a reset disables the queue
                if (size == 2 && q && v16 == 1 && !resetPending) {
                    queue.enable();
                    listener.changed();
                }
            }
            case QUEUE_DESC, QUEUE_DESC + 4 -> {
                if (q) {
                    queue.desc(setArea(offset - QUEUE_DESC, size, value, queue.desc()));
                }
            }
            case QUEUE_DRIVER, QUEUE_DRIVER + 4 -> {
                if (q) {
                    queue.driver(setArea(offset - QUEUE_DRIVER, size, value, queue.driver()));
                }
            }
            case QUEUE_DEVICE, QUEUE_DEVICE + 4 -> {
                if (q) {
                    queue.device(setArea(offset - QUEUE_DEVICE, size, value, queue.device()));
                }
            }
            default -> {
                // read-only or not a field: dropped
            }
        }
    }

    /** device_status, completing a reset first if one is pending and the busy fault is off. */
    private int status() {
        if (resetPending && !faults.stuckBusy()) {
            completeReset();
        }
        return status;
    }

    private void writeStatus(int v) {
        if (v == 0) {
            // the reset completes at once unless the device is stuck busy; until then device_status
            // keeps reading its old value and the driver, waiting for 0 (§4.1.4.3.2), waits on
            resetPending = true;
            status();
            return;
        }
        if (resetPending) {
            return;
        }
        int s = (v & ~STATUS_NEEDS_RESET) | (status & STATUS_NEEDS_RESET);
        if ((s & STATUS_FEATURES_OK) != 0 && (status & STATUS_FEATURES_OK) == 0 && !acceptable(driverFeatures)) {
            s &= ~STATUS_FEATURES_OK; // §3.1.1 step 6: the driver reads it back and sees the refusal
        }
        status = s;
        listener.changed();
    }

    private boolean acceptable(long features) {
        return (features & ~deviceFeatures) == 0 && (features & F_VERSION_1) != 0;
    }

    private void completeReset() {
        resetPending = false;
        status = 0;
        deviceFeatureSelect = driverFeatureSelect = 0;
        driverFeatures = 0;
        configVector = NO_VECTOR;
        queueSelect = 0;
        queue.reset();
        listener.resetDone();
    }

    /** A vector the device can map, or NO_VECTOR to report the mapping failed (§4.1.5.1.2). */
    private int vector(int v) {
        return v < vectors ? v : NO_VECTOR;
    }

    private static long half(long features, int select) {
        return select == 0 ? features & 0xffffffffL : select == 1 ? features >>> 32 : 0;
    }

    /** A 64-bit field at {@code at} 0 or 4 of it: whole (8 bytes at 0) or one 32-bit half. */
    private static long area(int at, int size, long value) {
        if (at == 0 && size == 8) {
            return value;
        }
        return size == 4 ? (value >>> (8 * at)) & 0xffffffffL : 0;
    }

    private static long setArea(int at, int size, long value, long old) {
        if (at == 0 && size == 8) {
            return value;
        }
        if (size != 4) {
            return old;
        }
        int shift = 8 * at;
        return (old & ~(0xffffffffL << shift)) | ((value & 0xffffffffL) << shift);
    }
}
