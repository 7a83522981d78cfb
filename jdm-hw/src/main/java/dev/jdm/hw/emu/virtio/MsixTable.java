package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.PciConfigSpace;

/**
 * MSI-X (PCI 3.0 §6.8.2): the message control bits in the capability, the vector table and the
 * pending bit array in BAR 0. A message for a masked vector (its entry's mask bit or the function
 * mask) sets its pending bit instead and is sent once both masks are clear. Entries come out of
 * reset masked. The owner serialises calls.
 */
final class MsixTable {
    private static final int ENTRY = 16, VECTOR_CONTROL = 12, MASKED = 1;
    /** Per entry: message address (low two bits read as 0), upper address, data, vector control (mask bit only). */
    private static final int[] WRITABLE = {
        0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, MASKED, 0, 0, 0};

    private final PciConfigSpace cfg;
    private final int control;
    private final byte[] table;
    private long pending;

    MsixTable(PciConfigSpace cfg, int capability, int vectors) {
        if (vectors < 1 || vectors > Long.SIZE) {
            throw new IllegalArgumentException("MSI-X vectors must be 1 to 64 here, not " + vectors);
        }
        this.cfg = cfg;
        this.control = capability + VirtioCapabilities.MSIX_CONTROL;
        this.table = new byte[vectors * ENTRY];
        for (int v = 0; v < vectors; v++) {
            table[v * ENTRY + VECTOR_CONTROL] = MASKED;
        }
    }

    int vectors() {
        return table.length / ENTRY;
    }

    boolean enabled() {
        return (cfg.get(control, 2) & VirtioCapabilities.MSIX_ENABLE) != 0;
    }

    private boolean masked(int vector) {
        return (cfg.get(control, 2) & VirtioCapabilities.MSIX_FUNCTION_MASK) != 0 || (table[vector * ENTRY + VECTOR_CONTROL] & MASKED) != 0;
    }

    /** Sends {@code vector}'s message now, or marks it pending while it is masked. */
    void signal(int vector, BoardPort port) {
        if (masked(vector)) {
            pending |= 1L << vector;
        } else if (port != null) {
            port.msix(vector);
        }
    }

    /** Sends the pending messages whose vectors are no longer masked; after any mask or enable change. */
    void deliverPending(BoardPort port) {
        if (!enabled() || port == null) {
            return;
        }
        for (int v = 0; v < vectors(); v++) {
            long bit = 1L << v;
            if ((pending & bit) != 0 && !masked(v)) {
                pending &= ~bit;
                port.msix(v);
            }
        }
    }

    long readTable(long offset, int size) {
        return Le.get(table, offset, size);
    }

    /** A write into the table; returns true if it may have unmasked a vector. */
    boolean writeTable(long offset, int size, long value) {
        boolean control = false;
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            if (at < 0 || at >= table.length) {
                continue;
            }
            int m = WRITABLE[(int) (at % ENTRY)];
            int b = (int) (value >>> (8 * i)) & 0xff;
            table[(int) at] = (byte) ((table[(int) at] & ~m) | (b & m));
            control |= at % ENTRY == VECTOR_CONTROL;
        }
        return control;
    }

    /** The pending bit array: read-only, one bit per vector. */
    long readPba(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            if (at >= 0 && at < Long.BYTES) {
                v |= ((pending >>> (8 * at)) & 0xff) << (8 * i);
            }
        }
        return v;
    }
}
