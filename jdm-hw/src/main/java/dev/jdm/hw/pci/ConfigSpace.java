package dev.jdm.hw.pci;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A snapshot of a device's configuration space, read-only: the face a driver is granted of a real
 * device's config space. It holds exactly what sysfs's {@code config} gave: 4096 bytes for PCI
 * Express as root, 256 for conventional PCI, and only the first 64 to anyone else, because reading
 * further can have side effects on some devices and the kernel keeps that for root.
 */
public final class ConfigSpace {
    /** The extended (PCI Express) configuration space; no file gives more. */
    public static final int MAX = 4096;

    // the type 0/1 header's common part (PCI Local Bus Specification 3.0, 6.1)
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION = 0x08;
    public static final int LATENCY_TIMER = 0x0d;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BIST = 0x0f;
    public static final int BAR0 = 0x10;
    public static final int ROM_TYPE0 = 0x30;
    public static final int INTERRUPT_PIN = 0x3d;

    private final byte[] bytes;

    private ConfigSpace(byte[] bytes) {
        this.bytes = bytes;
    }

    /** These bytes, copied. */
    public static ConfigSpace of(byte[] bytes) {
        return new ConfigSpace(Arrays.copyOf(bytes, Math.min(bytes.length, MAX)));
    }

    /** Reads {@code file}: opened for reading only, at most {@link #MAX} bytes, what it gives and no more. */
    public static ConfigSpace read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX);
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // sysfs may hand the bytes over in pieces
            }
        }
        return new ConfigSpace(Arrays.copyOf(buf.array(), buf.position()));
    }

    /** How many bytes were readable. */
    public int length() {
        return bytes.length;
    }

    /** Whether {@code width} bytes at {@code offset} were readable. */
    public boolean has(int offset, int width) {
        return offset >= 0 && width > 0 && offset + width <= bytes.length;
    }

    public int u8(int offset) {
        check(offset, 1);
        return bytes[offset] & 0xff;
    }

    /** Little-endian, as config space is. */
    public int u16(int offset) {
        check(offset, 2);
        return u8(offset) | u8(offset + 1) << 8;
    }

    public long u32(int offset) {
        check(offset, 4);
        return Integer.toUnsignedLong(u16(offset) | u16(offset + 2) << 16);
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    private void check(int offset, int width) {
        if (!has(offset, width)) {
            throw new IndexOutOfBoundsException("config space: " + width + " byte(s) at 0x" + Integer.toHexString(offset)
                    + " are beyond the " + bytes.length + " readable");
        }
    }
}
