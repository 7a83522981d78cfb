package dev.jdm.sweep;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The random data of a sweep: AES-256 in counter mode (NIST SP 800-38A, 6.5) encrypting zeros, so
 * the data at any byte offset can be produced again from the run's key and that offset alone. That
 * is how verification works without ever storing what was written.
 *
 * <p>The 128-bit counter block is {@code pass (32 bits) | target index (32 bits) | offset / 16 (64
 * bits)}, big-endian, so every pass and every target of a run gets a different stream under one key.
 * Not thread-safe: one instance per thread.
 */
public final class Keystream {
    /** AES block size: offsets must be multiples of it. */
    public static final int BLOCK = 16;
    private static final int WORK = 1 << 20;
    /**
     * Bytes per cipher call. HotSpot swaps in its AES-CTR intrinsic (AES-NI, several GB/s) only once
     * the cipher's method is compiled, which counts calls; megabyte calls would leave a whole
     * sweep running interpreted at a few hundred MB/s.
     */
    private static final int PIECE = 16 << 10;

    private final SecretKeySpec key;
    private final int pass;
    private final int target;
    private final Cipher cipher;
    private final byte[] zeros = new byte[WORK];
    private final byte[] out = new byte[WORK];

    public Keystream(byte[] key, int pass, int target) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, not " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.pass = pass;
        this.target = target;
        try {
            this.cipher = Cipher.getInstance("AES/CTR/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES/CTR", e);
        }
    }

    /** A new random run key from the platform's strong source. */
    public static byte[] newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** Fills {@code dst} with the keystream from byte {@code offset} on (a multiple of {@link #BLOCK}). */
    public void fill(long offset, MemorySegment dst) {
        if (offset < 0 || offset % BLOCK != 0) {
            throw new IllegalArgumentException("keystream offset " + offset + " is not a multiple of " + BLOCK);
        }
        byte[] iv = ByteBuffer.allocate(16).putInt(pass).putInt(target).putLong(offset / BLOCK).array();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            long done = 0;
            long total = dst.byteSize();
            while (done < total) {
                int n = (int) Math.min(WORK, total - done);
                for (int p = 0; p < n; p += PIECE) {
                    int len = Math.min(PIECE, n - p);
                    int got = cipher.update(zeros, p, len, out, p);
                    if (got != len) {
                        throw new IllegalStateException("AES/CTR returned " + got + " of " + len + " bytes");
                    }
                }
                MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, done, n);
                done += n;
            }
        } catch (ShortBufferException | java.security.InvalidKeyException | java.security.InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("AES/CTR keystream: " + e.getMessage(), e);
        }
    }
}
