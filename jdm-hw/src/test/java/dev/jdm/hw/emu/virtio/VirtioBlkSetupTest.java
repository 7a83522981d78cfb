package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.RamBacking;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Feature negotiation, the block configuration, queue setup and reset, through the common configuration. */
class VirtioBlkSetupTest {
    private static final long OFFERED = VirtioPci.F_VERSION_1 | 1L << 2 | 1L << 6 | 1L << 9 | 1L << 13 | 1L << 14;

    private final RamBacking disk = new RamBacking(8 << 20);
    private VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private TestDriver drv = new TestDriver(dev, new TestBoard());

    @AfterEach
    void close() {
        drv.close();
        disk.close();
    }

    @Test
    void shouldOfferVersion1AndTheBlockFeatures() {
        drv.enable();
        assertThat(drv.deviceFeatures()).isEqualTo(OFFERED);
        drv.common(DEVICE_FEATURE_SELECT, 4, 2);
        assertThat(drv.common(DEVICE_FEATURE, 4)).isZero();
        assertThat(drv.common(NUM_QUEUES, 2)).isEqualTo(1);
    }

    @Test
    void shouldOfferReadOnlyOnlyForAReadOnlyDisk() {
        readOnly();
        assertThat(drv.deviceFeatures()).isEqualTo(OFFERED | 1L << 5);
    }

    @Test
    void shouldKeepFeaturesOkForASubsetWithVersion1() {
        drv.enable();
        int status = drv.negotiate(VirtioPci.F_VERSION_1 | 1L << 9);
        assertThat(status).isEqualTo(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        drv.common(DRIVER_FEATURE_SELECT, 4, 0);
        assertThat(drv.common(DRIVER_FEATURE, 4)).isEqualTo(1L << 9);
        drv.common(DRIVER_FEATURE, 4, 1L << 13); // fixed once FEATURES_OK is accepted
        assertThat(drv.common(DRIVER_FEATURE, 4)).isEqualTo(1L << 9);
    }

    @Test
    void shouldRefuseFeaturesOkForAFeatureNotOffered() {
        drv.enable();
        assertThat(drv.negotiate(OFFERED | 1L << 5) & STATUS_FEATURES_OK).isZero(); // RO, not offered on a writable disk
        assertThat(drv.negotiate(OFFERED | 1L << 28) & STATUS_FEATURES_OK).isZero(); // INDIRECT_DESC
        assertThat(drv.negotiate(OFFERED) & STATUS_FEATURES_OK).isEqualTo(STATUS_FEATURES_OK);
    }

    @Test
    void shouldRefuseFeaturesOkWithoutVersion1() {
        drv.enable();
        int status = drv.negotiate(OFFERED & ~VirtioPci.F_VERSION_1);
        assertThat(status).isEqualTo(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    }

    @Test
    void shouldPresentTheBlockConfigurationAtTheSpecsOffsets() {
        drv.enable();
        assertThat(drv.deviceConfig(BlkDeviceConfig.CAPACITY, 4)).isEqualTo((8 << 20) / 512);
        assertThat(drv.deviceConfig(BlkDeviceConfig.CAPACITY + 4, 4)).isZero();
        assertThat(drv.deviceConfig(BlkDeviceConfig.CAPACITY, 8)).isEqualTo((8 << 20) / 512);
        assertThat(drv.deviceConfig(BlkDeviceConfig.SEG_MAX, 4)).isEqualTo(254);
        assertThat(drv.deviceConfig(BlkDeviceConfig.BLK_SIZE, 4)).isEqualTo(512);
        assertThat(drv.deviceConfig(36, 4)).as("max_discard_sectors").isEqualTo(0x200000);
        assertThat(drv.deviceConfig(40, 4)).as("max_discard_seg").isEqualTo(16);
        assertThat(drv.deviceConfig(44, 4)).as("discard_sector_alignment").isEqualTo(8);
        assertThat(drv.deviceConfig(48, 4)).as("max_write_zeroes_sectors").isEqualTo(0x200000);
        assertThat(drv.deviceConfig(52, 4)).as("max_write_zeroes_seg").isEqualTo(16);
        assertThat(drv.deviceConfig(56, 1)).as("write_zeroes_may_unmap").isEqualTo(1);
        assertThat(drv.deviceConfig(57, 1)).as("unused1").isZero();
        assertThat(drv.deviceConfig(0x800, 4)).isZero();
        assertThat(drv.common(CONFIG_GENERATION, 1)).isZero();
    }

    @Test
    void shouldSetUpQueue0() {
        drv.enable();
        drv.negotiate(OFFERED);
        drv.common(QUEUE_SELECT, 2, 0);
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(256);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isZero();
        assertThat(drv.common(QUEUE_NOTIFY_OFF, 2)).isZero();
        assertThat(drv.common(QUEUE_MSIX_VECTOR, 2)).isEqualTo(NO_VECTOR);

        drv.common(QUEUE_SIZE, 2, 100); // not a power of two: kept at 256
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(256);
        drv.common(QUEUE_SIZE, 2, 512);
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(256);
        drv.common(QUEUE_SIZE, 2, 64);
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(64);

        drv.common(QUEUE_DESC, 8, 0x1_2345_6780L);
        assertThat(drv.common(QUEUE_DESC, 8)).isEqualTo(0x1_2345_6780L);
        drv.common(QUEUE_DRIVER, 4, 0x9abc_def0L);
        drv.common(QUEUE_DRIVER + 4, 4, 0x2L);
        assertThat(drv.common(QUEUE_DRIVER, 8)).isEqualTo(0x2_9abc_def0L);
        assertThat(drv.common(QUEUE_DRIVER + 4, 4)).isEqualTo(2);
        drv.common(QUEUE_DEVICE, 4, 0x1000);
        assertThat(drv.common(QUEUE_DEVICE, 4)).isEqualTo(0x1000);

        drv.common(QUEUE_MSIX_VECTOR, 2, 1);
        assertThat(drv.common(QUEUE_MSIX_VECTOR, 2)).isEqualTo(1);
        drv.common(QUEUE_MSIX_VECTOR, 2, 2); // outside the table of 2: the mapping fails
        assertThat(drv.common(QUEUE_MSIX_VECTOR, 2)).isEqualTo(NO_VECTOR);
        drv.common(CONFIG_MSIX_VECTOR, 2, 0);
        assertThat(drv.common(CONFIG_MSIX_VECTOR, 2)).isZero();

        drv.common(QUEUE_ENABLE, 2, 1);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isEqualTo(1);
        drv.common(QUEUE_DESC, 8, 0x4000); // configured before enabling, not after
        drv.common(QUEUE_SIZE, 2, 32);
        drv.common(QUEUE_ENABLE, 2, 0);
        assertThat(drv.common(QUEUE_DESC, 8)).isEqualTo(0x1_2345_6780L);
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(64);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isEqualTo(1);
    }

    @Test
    void shouldShowNoQueueBeyondQueue0() {
        drv.enable();
        drv.common(QUEUE_SELECT, 2, 1);
        assertThat(drv.common(QUEUE_SIZE, 2)).isZero();
        drv.common(QUEUE_ENABLE, 2, 1);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isZero();
        drv.common(QUEUE_DESC, 8, 0x1000);
        assertThat(drv.common(QUEUE_DESC, 8)).isZero();
    }

    @Test
    void shouldIgnoreAccessesOfTheWrongWidth() {
        drv.enable();
        drv.common(DEVICE_STATUS, 4, STATUS_ACKNOWLEDGE);
        assertThat(drv.status()).isZero();
        drv.status(STATUS_ACKNOWLEDGE);
        assertThat(drv.common(DEVICE_STATUS, 2)).isZero();
        assertThat(drv.common(NUM_QUEUES, 4)).isZero();
        assertThat(drv.common(NUM_QUEUES, 1)).isZero();
        drv.common(QUEUE_SIZE, 1, 16);
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(256);
        assertThat(drv.common(DEVICE_FEATURE, 2)).isZero();
        assertThat(drv.common(QUEUE_DESC + 2, 4)).isZero();
        assertThat(drv.common(0x38, 4)).isZero();
    }

    @Test
    void shouldClearEverythingOnReset() {
        drv.close();
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
        drv = TestDriver.ready(dev, new TestBoard());
        assertThat(drv.request(VirtioBlk.T_FLUSH, 0)).isZero();
        drv.common(QUEUE_SELECT, 2, 0);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isEqualTo(1);

        drv.status(0);
        assertThat(drv.status()).isZero();
        drv.common(DRIVER_FEATURE_SELECT, 4, 1);
        assertThat(drv.common(DRIVER_FEATURE, 4)).isZero();
        assertThat(drv.common(CONFIG_MSIX_VECTOR, 2)).isEqualTo(NO_VECTOR);
        drv.common(QUEUE_SELECT, 2, 0);
        assertThat(drv.common(QUEUE_ENABLE, 2)).isZero();
        assertThat(drv.common(QUEUE_SIZE, 2)).isEqualTo(256);
        assertThat(drv.common(QUEUE_MSIX_VECTOR, 2)).isEqualTo(NO_VECTOR);
        assertThat(drv.common(QUEUE_DESC, 8)).isZero();

        // and it comes up again from scratch, its ring indexes at 0
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, 0);
        drv.setupQueue(64, 1);
        drv.driverOk();
        assertThat(drv.request(VirtioBlk.T_FLUSH, 0)).isZero();
        assertThat(drv.usedIdx()).isEqualTo(1);
    }

    @Test
    void shouldRefuseASerialThatGetIdCannotCarry() {
        assertThatThrownBy(() -> new VirtioBlkDevice(disk, "a-serial-of-21-bytes!", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 20 bytes");
        assertThatThrownBy(() -> new VirtioBlkDevice(disk, "d\u00e9j\u00e0", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBePluggedOnlyOnce() {
        try (TestBoard other = new TestBoard()) {
            assertThatThrownBy(() -> dev.plug(other)).isInstanceOf(IllegalStateException.class).hasMessageContaining("already plugged");
            dev.unplug();
            dev.unplug();
            assertThatThrownBy(() -> dev.plug(other)).isInstanceOf(IllegalStateException.class).hasMessageContaining("create a new one");
        }
    }

    private void readOnly() {
        drv.close();
        dev = new VirtioBlkDevice(disk, "jdm-vblk0", true);
        drv = new TestDriver(dev, new TestBoard());
        drv.enable();
    }
}
