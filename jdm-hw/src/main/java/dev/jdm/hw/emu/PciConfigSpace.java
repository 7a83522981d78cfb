package dev.jdm.hw.emu;

import java.util.List;

/**
 * An emulated type-0 config space (PCI Local Bus spec 3.0, §6): the header from a
 * {@link PciIdentity}, BARs that answer sizing the way hardware does (write all ones, read back the
 * size mask), and a capability list. Every byte has a write mask, so read-only fields stay what the
 * device says whatever a driver writes. Not thread-safe: the owning device serialises accesses.
 */
public final class PciConfigSpace {
    /** Config space offsets and bits used by more than one device. */
    public static final int COMMAND = 0x04, STATUS = 0x06, BAR0 = 0x10, CAPABILITIES = 0x34, INTERRUPT_LINE = 0x3c, INTERRUPT_PIN = 0x3d;
    public static final int COMMAND_IO = 1, COMMAND_MEMORY = 2, COMMAND_BUS_MASTER = 4, COMMAND_INTX_DISABLE = 0x400;
    private static final int STATUS_CAP_LIST = 0x10, STATUS_INTERRUPT = 0x08;
    private static final int SIZE = 4096, FIRST_CAP = 0x40;

    private final byte[] data = new byte[SIZE];
    private final byte[] writable = new byte[SIZE];
    private final long[] barMasks = new long[6];
    private int nextCap = FIRST_CAP;
    private int lastCapNext = CAPABILITIES;

    /** A header for {@code id} decoding {@code bars}; {@code interruptPin} 1 (INTA#) or 0 for none. */
    public PciConfigSpace(PciIdentity id, List<BarSpec> bars, int interruptPin) {
        put(0x00, 2, id.vendor());
        put(0x02, 2, id.device());
        put(0x08, 1, id.revision());
        put(0x09, 3, id.classCode());
        put(0x2c, 2, id.subsystemVendor());
        put(0x2e, 2, id.subsystemDevice());
        put(INTERRUPT_PIN, 1, interruptPin);
        mask(COMMAND, 2, COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | COMMAND_INTX_DISABLE);
        mask(INTERRUPT_LINE, 1, 0xff);
        for (BarSpec b : bars) {
            int at = BAR0 + 4 * b.index();
            switch (b.kind()) {
                case IO -> {
                    put(at, 4, 1);
                    mask(at, 4, (int) ~(b.size() - 1) & ~0x3);
                }
                case MEMORY32 -> mask(at, 4, (int) ~(b.size() - 1) & ~0xf);
                case MEMORY64 -> {
                    put(at, 4, 0x4);
                    long m = ~(b.size() - 1) & ~0xfL;
                    mask(at, 4, (int) m);
                    mask(at + 4, 4, (int) (m >>> 32));
                }
            }
            barMasks[b.index()] = b.size();
        }
    }

    /**
     * Appends a capability: {@code id}, then {@code body} (the bytes after the ID and next pointer),
     * of which the bytes set in {@code bodyWritable} are writable. Returns its offset.
     */
    public int addCapability(int id, byte[] body, byte[] bodyWritable) {
        if (body.length != bodyWritable.length) {
            throw new IllegalArgumentException("capability body and its write mask differ in length");
        }
        int at = nextCap;
        int len = (2 + body.length + 3) & ~3;
        if (at + len > 0x100) {
            throw new IllegalStateException("capabilities overflow the 256-byte legacy config space");
        }
        data[at] = (byte) id;
        System.arraycopy(body, 0, data, at + 2, body.length);
        System.arraycopy(bodyWritable, 0, writable, at + 2, body.length);
        data[lastCapNext] = (byte) at;
        lastCapNext = at + 1;
        nextCap = at + len;
        put(STATUS, 2, get(STATUS, 2) | STATUS_CAP_LIST);
        return at;
    }

    /** A read as the bus delivers it: 1, 2 or 4 bytes, aligned to its size. */
    public int read(int offset, int size) {
        check(offset, size);
        return (int) get(offset, size);
    }

    /** A write through the write masks. */
    public void write(int offset, int size, int value) {
        check(offset, size);
        for (int i = 0; i < size; i++) {
            int m = writable[offset + i] & 0xff;
            int v = (value >>> (8 * i)) & 0xff;
            data[offset + i] = (byte) ((data[offset + i] & ~m) | (v & m));
        }
    }

    /** Sets a field the device itself changes (status bits, a capability's read-only state). */
    public void put(int offset, int size, long value) {
        for (int i = 0; i < size; i++) {
            data[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Reads a field, little-endian, without the bus's alignment rule. */
    public long get(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (data[offset + i] & 0xffL) << (8 * i);
        }
        return v;
    }

    /** The command register's bits. */
    public int command() {
        return (int) get(COMMAND, 2);
    }

    /** Sets or clears the status register's interrupt bit, as INTx is asserted or cleared. */
    public void interruptStatus(boolean pending) {
        int s = (int) get(STATUS, 2);
        put(STATUS, 2, pending ? s | STATUS_INTERRUPT : s & ~STATUS_INTERRUPT);
    }

    /** The size of BAR {@code index}, or 0 if the device has no such BAR. */
    public long barSize(int index) {
        return barMasks[index];
    }

    private void mask(int offset, int size, int bits) {
        for (int i = 0; i < size; i++) {
            writable[offset + i] = (byte) (bits >>> (8 * i));
        }
    }

    private static void check(int offset, int size) {
        if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > SIZE || offset % size != 0) {
            throw new IllegalArgumentException("config access of " + size + " bytes at 0x" + Integer.toHexString(offset) + " is not aligned or not inside 4 KiB");
        }
    }
}
