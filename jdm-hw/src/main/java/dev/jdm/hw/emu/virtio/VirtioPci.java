package dev.jdm.hw.emu.virtio;

/**
 * The virtio-pci transport's layout (virtio 1.2 §4.1): where each structure lies in BAR 0, as on
 * the virtio-blk function of these machines ({@code lspci -vv -s 00:02.0}), the common
 * configuration's field offsets (§4.1.4.3) and the device status bits (§2.1).
 */
final class VirtioPci {
    /** BAR 0: one 64-bit memory BAR holding every structure, the MSI-X table and the PBA. */
    static final long BAR0_SIZE = 0x80000;
    static final int COMMON_CFG = 0x0000, COMMON_CFG_LENGTH = 0x38;
    static final int ISR_CFG = 0x2000, ISR_CFG_LENGTH = 1;
    static final int DEVICE_CFG = 0x4000, DEVICE_CFG_LENGTH = 0x1000;
    static final int NOTIFY_CFG = 0x6000, NOTIFY_CFG_LENGTH = 0x1000, NOTIFY_OFF_MULTIPLIER = 4;
    static final int MSIX_TABLE = 0x8000, MSIX_TABLE_LENGTH = 0x40000;
    static final int MSIX_PBA = 0x48000, MSIX_PBA_LENGTH = 0x800;

    /** Capability IDs (PCI 3.0 appendix H) and virtio's cfg_type values (§4.1.4). */
    static final int CAP_ID_VENDOR = 0x09, CAP_ID_MSIX = 0x11;
    static final int CAP_COMMON_CFG = 1, CAP_NOTIFY_CFG = 2, CAP_ISR_CFG = 3, CAP_DEVICE_CFG = 4, CAP_PCI_CFG = 5;

    /** struct virtio_pci_common_cfg (§4.1.4.3), offsets inside the common configuration. */
    static final int DEVICE_FEATURE_SELECT = 0x00, DEVICE_FEATURE = 0x04, DRIVER_FEATURE_SELECT = 0x08, DRIVER_FEATURE = 0x0c,
            CONFIG_MSIX_VECTOR = 0x10, NUM_QUEUES = 0x12, DEVICE_STATUS = 0x14, CONFIG_GENERATION = 0x15,
            QUEUE_SELECT = 0x16, QUEUE_SIZE = 0x18, QUEUE_MSIX_VECTOR = 0x1a, QUEUE_ENABLE = 0x1c, QUEUE_NOTIFY_OFF = 0x1e,
            QUEUE_DESC = 0x20, QUEUE_DRIVER = 0x28, QUEUE_DEVICE = 0x30;

    /** device_status bits (§2.1). */
    static final int STATUS_ACKNOWLEDGE = 0x01, STATUS_DRIVER = 0x02, STATUS_DRIVER_OK = 0x04, STATUS_FEATURES_OK = 0x08,
            STATUS_NEEDS_RESET = 0x40, STATUS_FAILED = 0x80;

    /** The vector value that maps an event to no MSI-X vector (§4.1.5.1.2). */
    static final int NO_VECTOR = 0xffff;

    /** ISR status bits (§4.1.4.5). */
    static final int ISR_QUEUE = 0x1, ISR_CONFIG = 0x2;

    /** VIRTIO_F_VERSION_1 (§6): the only transport feature the device offers, and one it requires. */
    static final long F_VERSION_1 = 1L << 32;

    private VirtioPci() {
    }
}
