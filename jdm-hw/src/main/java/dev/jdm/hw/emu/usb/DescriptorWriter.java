package dev.jdm.hw.emu.usb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds descriptors byte by byte, words little-endian as USB 2.0 §8.1 puts them on the wire. */
final class DescriptorWriter {
    private byte[] bytes = new byte[64];
    private int size;

    DescriptorWriter u8(int v) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, size * 2);
        }
        bytes[size++] = (byte) v;
        return this;
    }

    DescriptorWriter u16(int v) {
        return u8(v).u8(v >> 8);
    }

    int size() {
        return size;
    }

    /** Patches a word written earlier, such as wTotalLength once the whole configuration is known. */
    void set16(int at, int v) {
        bytes[at] = (byte) v;
        bytes[at + 1] = (byte) (v >> 8);
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** A string descriptor (§9.6.7): bLength, STRING, then the text in UTF-16LE. */
    static byte[] string(String s) {
        byte[] text = s.getBytes(StandardCharsets.UTF_16LE);
        if (text.length > 253) {
            throw new IllegalArgumentException("a string descriptor holds at most 126 UTF-16 units, not " + text.length / 2 + ": \"" + s + "\"");
        }
        DescriptorWriter w = new DescriptorWriter().u8(2 + text.length).u8(Ch9.DT_STRING);
        for (byte b : text) {
            w.u8(b);
        }
        return w.toArray();
    }
}
