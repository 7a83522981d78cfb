package dev.jdm.kmod.depmod;

import java.util.Arrays;

/**
 * A growable byte buffer for the indexes depmod writes: big-endian numbers and NUL-terminated
 * 7-bit strings for the tries, ISO-8859-1 text for the text files. Not ByteArrayOutputStream,
 * whose every write takes a lock; and a text index goes straight into its bytes, where a
 * StringBuilder, its String and their encoding copied each one three times (all of it fresh
 * memory, which the kernel zeroes first).
 *
 * <p>A {@linkplain #counting counting} buffer stores nothing and only adds up the size, so that
 * a text can be measured first and then written into a buffer of exactly its size ({@link #sized}).
 */
final class ByteOut {
    private byte[] buf;
    private int size;

    ByteOut(int capacity) {
        buf = new byte[capacity];
    }

    private ByteOut() {
        buf = null;
    }

    /** A buffer that only counts what is written to it. */
    static ByteOut counting() {
        return new ByteOut();
    }

    /** Something that writes itself into a buffer; it must write the same bytes every time. */
    interface Renderer {
        void render(ByteOut out);
    }

    /** What {@code r} writes, measured first, then written into an array of exactly that size. */
    static byte[] sized(Renderer r) {
        ByteOut count = counting();
        r.render(count);
        ByteOut out = new ByteOut(count.size);
        r.render(out);
        return out.toByteArray();
    }

    int size() {
        return size;
    }

    ByteOut write(int b) {
        if (ensure(1)) {
            buf[size] = (byte) b;
        }
        size++;
        return this;
    }

    void u32(int v) {
        if (ensure(4)) {
            putU32(buf, size, v);
        }
        size += 4;
    }

    /** Characters {@code [from, to)} of a 7-bit string (checked by the caller) and a NUL. */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the low byte of each char, which 7-bit text is
    void cstr(String s, int from, int to) {
        int n = to - from;
        if (ensure(n + 1)) {
            s.getBytes(from, to, buf, size);
            buf[size + n] = 0;
        }
        size += n + 1;
    }

    /**
     * {@code s} in ISO-8859-1 as {@code String.getBytes} gives it: '?' for a character it cannot
     * encode, one for a surrogate pair (a file name may hold anything the platform decoded).
     */
    ByteOut text(String s) {
        int n = s.length();
        int at = size;
        boolean store = ensure(n); // at most n bytes: a pair takes one
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xff && Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            }
            if (store) {
                buf[at] = c <= 0xff ? (byte) c : (byte) '?';
            }
            at++;
        }
        size = at;
        return this;
    }

    /** The bytes written: the array itself when it is full, as {@link #sized} sizes it, else a copy. */
    byte[] toByteArray() {
        if (buf == null) {
            throw new IllegalStateException("a counting buffer holds no bytes");
        }
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Room for {@code n} more bytes; false when counting, where nothing is stored. */
    private boolean ensure(int n) {
        if (buf == null) {
            return false;
        }
        if (buf.length - size < n) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
        }
        return true;
    }
}
