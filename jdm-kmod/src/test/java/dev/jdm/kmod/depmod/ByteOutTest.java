package dev.jdm.kmod.depmod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteOutTest {

    @Test
    void shouldMeasureThenWriteATextIntoAnArrayOfExactlyItsSize() {
        String[] lines = {"kernel/a.ko:", "kernel/b.ko: kernel/a.ko", "caf\u00e9 \u20ac \ud83d\ude00 \ud800x"};
        int[] renders = {0};
        byte[] b = ByteOut.sized(out -> {
            renders[0]++;
            for (String l : lines) {
                out.text(l).write('\n');
            }
        });
        String expected = String.join("\n", lines) + "\n";
        // what String.getBytes gives: '?' for the euro sign that ISO-8859-1 lacks, one for a
        // surrogate pair, one for a lone surrogate
        assertThat(b).isEqualTo(expected.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(renders[0]).isEqualTo(2);
    }

    @Test
    void shouldGrowAndKeepWhatWasWritten() {
        ByteOut out = new ByteOut(2);
        out.u32(0xB007F457);
        out.cstr("xalias", 1, 6);
        out.write(7);
        assertThat(out.size()).isEqualTo(4 + 6 + 1);
        assertThat(out.toByteArray()).containsExactly(0xB0 - 256, 0x07, 0xF4 - 256, 0x57, 'a', 'l', 'i', 'a', 's', 0, 7);
    }

    @Test
    void shouldRefuseToHandOutTheBytesOfACountingBuffer() {
        ByteOut count = ByteOut.counting();
        count.text("abc").write('\n');
        assertThat(count.size()).isEqualTo(4);
        assertThatThrownBy(count::toByteArray).isInstanceOf(IllegalStateException.class);
    }
}
