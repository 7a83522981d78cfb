package dev.jdm.drivers.chrmem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;

/** /dev/urandom: bytes from the JDK's CSPRNG; writes are taken and ignored (the JDK seeds itself), as zero's. */
final class Urandom extends Zero {
    /** One generator for every open file; SecureRandom is thread-safe. */
    static final class Source {
        private final SecureRandom random = new SecureRandom();

        void fill(byte[] b) {
            random.nextBytes(b);
        }
    }

    private static final int CHUNK = 64 << 10;
    private final Source source;
    private final byte[] chunk = new byte[CHUNK];

    Urandom(Source source) {
        this.source = source;
    }

    @Override
    public int read(MemorySegment dst) {
        long n = dst.byteSize();
        for (long off = 0; off < n; off += CHUNK) {
            int len = (int) Math.min(CHUNK, n - off);
            source.fill(chunk);
            MemorySegment.copy(chunk, 0, dst, ValueLayout.JAVA_BYTE, off, len);
        }
        return (int) n;
    }
}
