package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.PciConfigSpace;

/**
 * The function's capability list: the virtio structure capabilities (virtio 1.2 §4.1.4) and MSI-X
 * (PCI 3.0 §6.8.2), in the order and at the offsets the real function shows: common 0x40, ISR
 * 0x50, device 0x60, notify 0x70, PCI configuration access 0x84, MSI-X 0x98.
 */
final class VirtioCapabilities {
    /** Where each capability starts in config space. */
    record Offsets(int common, int isr, int device, int notifyCfg, int pciCfg, int msix) {
    }

    /** struct virtio_pci_cap fields, from the capability's first byte. */
    static final int CAP_LEN = 2, CFG_TYPE = 3, BAR = 4, OFFSET = 8, LENGTH = 12;
    /** notify_off_multiplier (notify capability) and pci_cfg_data (PCI configuration access capability). */
    static final int NOTIFY_OFF_MULTIPLIER = 16, PCI_CFG_DATA = 16;
    /** MSI-X capability fields, from the capability's first byte. */
    static final int MSIX_CONTROL = 2, MSIX_TABLE_OFFSET = 4, MSIX_PBA_OFFSET = 8;
    /** Message control: the two bits a driver may write; table size (N-1) is read-only. */
    static final int MSIX_ENABLE = 0x8000, MSIX_FUNCTION_MASK = 0x4000;

    private static final int VIRTIO_CAP_LEN = 16, EXTENDED_CAP_LEN = 20, MSIX_BODY = 10;

    private VirtioCapabilities() {
    }

    /** Appends the capabilities to {@code cfg}, which must have none yet. */
    static Offsets install(PciConfigSpace cfg, int msixVectors) {
        int common = structure(cfg, VirtioPci.CAP_COMMON_CFG, VirtioPci.COMMON_CFG, VirtioPci.COMMON_CFG_LENGTH);
        int isr = structure(cfg, VirtioPci.CAP_ISR_CFG, VirtioPci.ISR_CFG, VirtioPci.ISR_CFG_LENGTH);
        int device = structure(cfg, VirtioPci.CAP_DEVICE_CFG, VirtioPci.DEVICE_CFG, VirtioPci.DEVICE_CFG_LENGTH);

        byte[] notify = body(EXTENDED_CAP_LEN, VirtioPci.CAP_NOTIFY_CFG, VirtioPci.NOTIFY_CFG, VirtioPci.NOTIFY_CFG_LENGTH);
        Le.put(notify, NOTIFY_OFF_MULTIPLIER - 2, 4, VirtioPci.NOTIFY_OFF_MULTIPLIER);
        int notifyAt = cfg.addCapability(VirtioPci.CAP_ID_VENDOR, notify, new byte[notify.length]);

        // PCI configuration access (§4.1.4.9): bar, offset, length and the data window are the driver's
        byte[] access = body(EXTENDED_CAP_LEN, VirtioPci.CAP_PCI_CFG, 0, 0);
        byte[] accessWritable = new byte[access.length];
        writable(accessWritable, BAR, 1);
        writable(accessWritable, OFFSET, 4);
        writable(accessWritable, LENGTH, 4);
        writable(accessWritable, PCI_CFG_DATA, 4);
        int pciCfg = cfg.addCapability(VirtioPci.CAP_ID_VENDOR, access, accessWritable);

        byte[] msix = new byte[MSIX_BODY];
        Le.put(msix, MSIX_CONTROL - 2, 2, msixVectors - 1);
        Le.put(msix, MSIX_TABLE_OFFSET - 2, 4, VirtioPci.MSIX_TABLE); // BIR 0 in the low three bits
        Le.put(msix, MSIX_PBA_OFFSET - 2, 4, VirtioPci.MSIX_PBA);
        byte[] msixWritable = new byte[MSIX_BODY];
        msixWritable[MSIX_CONTROL - 2 + 1] = (byte) ((MSIX_ENABLE | MSIX_FUNCTION_MASK) >>> 8);
        int msixAt = cfg.addCapability(VirtioPci.CAP_ID_MSIX, msix, msixWritable);

        return new Offsets(common, isr, device, notifyAt, pciCfg, msixAt);
    }

    private static int structure(PciConfigSpace cfg, int type, int offset, int length) {
        byte[] b = body(VIRTIO_CAP_LEN, type, offset, length);
        return cfg.addCapability(VirtioPci.CAP_ID_VENDOR, b, new byte[b.length]);
    }

    /** A virtio capability's bytes after cap_vndr and cap_next, for {@link PciConfigSpace#addCapability}. */
    private static byte[] body(int capLen, int type, int offset, int length) {
        byte[] b = new byte[capLen - 2];
        b[CAP_LEN - 2] = (byte) capLen;
        b[CFG_TYPE - 2] = (byte) type;
        b[BAR - 2] = 0;
        Le.put(b, OFFSET - 2, 4, offset);
        Le.put(b, LENGTH - 2, 4, length);
        return b;
    }

    private static void writable(byte[] mask, int field, int size) {
        for (int i = 0; i < size; i++) {
            mask[field - 2 + i] = (byte) 0xff;
        }
    }
}
