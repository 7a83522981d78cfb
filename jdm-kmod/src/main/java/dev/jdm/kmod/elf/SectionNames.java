package dev.jdm.kmod.elf;

import java.nio.charset.StandardCharsets;

/**
 * Section names decoded once per process rather than once per file: every module of a tree has
 * the same few dozen (.text, .modinfo, __versions, ...), and decoding them anew for each of
 * thousands of modules was a tenth of depmod's garbage.
 */
final class SectionNames {
    private static final int SLOTS = 512;
    /** Racy by design: a slot holds some immutable String or null, and a miss only costs a decode. */
    private static final String[] CACHE = new String[SLOTS];

    private SectionNames() {
    }

    /** The NUL-terminated string at {@code at}; {@code b} must hold a NUL at or after it. */
    static String decode(byte[] b, int at) {
        int end = at;
        int hash = 0;
        while (b[end] != 0) {
            hash = 31 * hash + b[end];
            end++;
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String cached = CACHE[slot];
        if (cached != null && matches(cached, b, at, end)) {
            return cached;
        }
        String s = new String(b, at, end - at, StandardCharsets.ISO_8859_1);
        CACHE[slot] = s;
        return s;
    }

    private static boolean matches(String s, byte[] b, int at, int end) {
        if (s.length() != end - at) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != (b[at + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }
}
