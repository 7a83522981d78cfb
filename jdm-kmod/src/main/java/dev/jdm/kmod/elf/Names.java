package dev.jdm.kmod.elf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Symbol names interned by their bytes, for one thread reading module after module: the modules
 * of a tree import the same few thousand symbols some three hundred thousand times, and decoding
 * each occurrence into a String of its own was the largest share of depmod's garbage (every
 * megabyte of it is fresh memory the kernel zeroes). A name is found by its bytes, in place, and
 * decoded (ISO-8859-1, as {@link SymbolTable#name}) the first time only.
 *
 * <p>Each name has a slot; a caller may keep a mark and a number with it for one module at a time
 * ({@link #generation}), and one object (the record last made of it). Not thread-safe.
 */
public final class Names {
    private byte[][] keys = new byte[1 << 14][];
    private int[] hashes = new int[1 << 14];
    private String[] names = new String[1 << 14];
    private int[] marks = new int[1 << 14];
    private int[] values = new int[1 << 14];
    private Object[] attachments = new Object[1 << 14];
    private int size;
    private int generation;

    /** The slot of the name in {@code b[from, to)}, made on first sight. */
    public int slot(byte[] b, int from, int to) {
        int h = 0;
        for (int k = from; k < to; k++) {
            h = 31 * h + (b[k] & 0xff);
        }
        int mask = keys.length - 1;
        int i = mix(h) & mask;
        for (byte[] key; (key = keys[i]) != null; i = (i + 1) & mask) {
            if (hashes[i] == h && Arrays.equals(key, 0, key.length, b, from, to)) {
                return i;
            }
        }
        keys[i] = Arrays.copyOfRange(b, from, to);
        hashes[i] = h;
        names[i] = new String(keys[i], StandardCharsets.ISO_8859_1);
        if (++size > keys.length >> 1) {
            grow();
            return slot(b, from, to);
        }
        return i;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    private void grow() {
        byte[][] oldKeys = keys;
        int[] oldHashes = hashes;
        String[] oldNames = names;
        int[] oldMarks = marks;
        int[] oldValues = values;
        Object[] oldAttachments = attachments;
        int n = oldKeys.length << 1;
        keys = new byte[n][];
        hashes = new int[n];
        names = new String[n];
        marks = new int[n];
        values = new int[n];
        attachments = new Object[n];
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = mix(oldHashes[j]) & (n - 1);
                while (keys[i] != null) {
                    i = (i + 1) & (n - 1);
                }
                keys[i] = oldKeys[j];
                hashes[i] = oldHashes[j];
                names[i] = oldNames[j];
                marks[i] = oldMarks[j];
                values[i] = oldValues[j];
                attachments[i] = oldAttachments[j];
            }
        }
    }

    /** The name in {@code slot}. */
    public String name(int slot) {
        return names[slot];
    }

    /** A new mark: the marks of every earlier one no longer count (one per module read). */
    public int generation() {
        return ++generation;
    }

    /** Whether {@code slot} carries the mark {@code generation}. */
    public boolean marked(int slot, int generation) {
        return marks[slot] == generation;
    }

    /** Marks {@code slot} with {@code generation} and {@code value}. */
    public void mark(int slot, int generation, int value) {
        marks[slot] = generation;
        values[slot] = value;
    }

    /** The value of {@code slot}'s mark. */
    public int value(int slot) {
        return values[slot];
    }

    public Object attachment(int slot) {
        return attachments[slot];
    }

    public void attach(int slot, Object o) {
        attachments[slot] = o;
    }
}
