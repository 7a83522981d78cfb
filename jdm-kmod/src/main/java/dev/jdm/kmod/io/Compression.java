package dev.jdm.kmod.io;

import java.nio.ByteBuffer;

/**
 * Compression formats of module files, recognised by magic bytes rather than by file name,
 * as libkmod's {@code kmod_file_open} does.
 */
public enum Compression {
    NONE(new byte[0], ".ko"),
    XZ(new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0}, ".ko.xz"),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}, ".ko.zst"),
    GZIP(new byte[] {0x1f, (byte) 0x8b}, ".ko.gz");

    private final byte[] magic;
    private final String extension;

    Compression(byte[] magic, String extension) {
        this.magic = magic;
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** The format whose magic starts {@code head}, or {@link #NONE}. */
    public static Compression detect(ByteBuffer head) {
        for (Compression c : values()) {
            if (c != NONE && startsWith(head, c.magic)) {
                return c;
            }
        }
        return NONE;
    }

    private static boolean startsWith(ByteBuffer head, byte[] magic) {
        if (head.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Length of the module file name suffix that kmod recognises, or -1 ({@code .ko}, {@code .ko.xz}, ...). */
    public static int extensionLength(String fileName) {
        for (Compression c : values()) {
            if (fileName.length() > c.extension.length() && fileName.endsWith(c.extension)) {
                return c.extension.length();
            }
        }
        return -1;
    }
}
