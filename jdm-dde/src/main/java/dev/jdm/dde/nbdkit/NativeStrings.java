package dev.jdm.dde.nbdkit;

import java.lang.foreign.MemorySegment;

/** C strings handed over by plugins and the shim. */
final class NativeStrings {
    private NativeStrings() {}

    /** The NUL-terminated UTF-8 string at p, or null for NULL. */
    static String read(MemorySegment p) {
        return p.equals(MemorySegment.NULL) ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
