package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class KeystreamTest {
    @Test
    void shouldRegenerateTheSameBytesAtArbitraryOffsets() {
        byte[] key = Keystream.newKey();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment whole = a.allocate(3 << 20);
            new Keystream(key, 1, 0).fill(0, whole);
            Random r = new Random(42);
            Keystream again = new Keystream(key, 1, 0);
            for (int i = 0; i < 200; i++) {
                long off = r.nextInt((3 << 20) / 16) * 16L;
                long len = Math.min(whole.byteSize() - off, 16L * (1 + r.nextInt(200_000 / 16)));
                MemorySegment part = a.allocate(len);
                again.fill(off, part);
                assertThat(MemorySegment.mismatch(part, 0, len, whole, off, off + len)).as("offset %d length %d", off, len).isEqualTo(-1);
            }
        }
    }

    @Test
    void shouldBeAesCtrOfZerosWithTheDocumentedCounterBlock() throws Exception {
        byte[] key = Keystream.newKey();
        long offset = 0x12345670L;
        byte[] iv = java.nio.ByteBuffer.allocate(16).putInt(2).putInt(7).putLong(offset / 16).array();
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] expected = c.doFinal(new byte[4096]);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment got = a.allocate(4096);
            new Keystream(key, 2, 7).fill(offset, got);
            assertThat(got.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(expected);
        }
    }

    @Test
    void shouldDifferBetweenPassesTargetsAndKeys() {
        byte[] key = Keystream.newKey();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p1 = a.allocate(4096);
            MemorySegment p2 = a.allocate(4096);
            MemorySegment t2 = a.allocate(4096);
            MemorySegment k2 = a.allocate(4096);
            new Keystream(key, 1, 0).fill(0, p1);
            new Keystream(key, 2, 0).fill(0, p2);
            new Keystream(key, 1, 1).fill(0, t2);
            new Keystream(Keystream.newKey(), 1, 0).fill(0, k2);
            assertThat(p1.mismatch(p2)).isNotEqualTo(-1);
            assertThat(p1.mismatch(t2)).isNotEqualTo(-1);
            assertThat(p1.mismatch(k2)).isNotEqualTo(-1);
        }
    }

    @Test
    void shouldRefuseUnalignedOffsets() {
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> new Keystream(Keystream.newKey(), 1, 0).fill(8, a.allocate(16)))
                    .hasMessageContaining("not a multiple of 16");
        }
    }
}
