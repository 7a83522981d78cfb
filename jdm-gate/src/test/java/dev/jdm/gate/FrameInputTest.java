package dev.jdm.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameInputTest {
    /** A channel that hands out its bytes in the given read sizes, as a socket may. */
    static final class Trickle implements ReadableByteChannel {
        private final ByteBuffer bytes;
        private final ArrayDeque<Integer> sizes;
        int reads;

        Trickle(byte[] bytes, List<Integer> sizes) {
            this.bytes = ByteBuffer.wrap(bytes);
            this.sizes = new ArrayDeque<>(sizes);
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!bytes.hasRemaining()) {
                return -1;
            }
            reads++;
            int n = Math.min(dst.remaining(), Math.min(bytes.remaining(), sizes.isEmpty() ? Integer.MAX_VALUE : sizes.poll()));
            ByteBuffer part = bytes.slice(bytes.position(), n);
            bytes.position(bytes.position() + n);
            dst.put(part);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    static byte[] frames(byte[]... bodies) {
        int total = 0;
        for (byte[] b : bodies) {
            total += 4 + b.length;
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (byte[] b : bodies) {
            all.putInt(b.length).put(b);
        }
        return all.array();
    }

    static byte[] body(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void shouldReturnEachFrameWholeHoweverTheBytesArriveAndGrowForALargeOne() throws IOException {
        byte[][] bodies = {body(3, 1), body(0, 2), body(200_000, 3), body(10, 4), body(1 << 20, 5)};
        FrameInput in = new FrameInput(new Trickle(frames(bodies), List.of(1, 2, 3, 5, 7000, 13, 65536, 9)));
        for (byte[] b : bodies) {
            assertThat(bytes(in.next())).isEqualTo(b);
        }
        assertThat(in.next()).as("a clean end").isNull();
    }

    @Test
    void shouldPeekAFramesStartReadingNothingPastItAndLetTheRestBeTakenOrSkipped() throws IOException {
        byte[] big = body(100_000, 7);
        Trickle ch = new Trickle(frames(big, body(5, 8)), List.of());
        FrameInput in = new FrameInput(ch);
        assertThat(in.peekLength()).isEqualTo(big.length);
        ByteBuffer start = in.peek(big.length, 64);
        assertThat(start.remaining()).as("only the bytes asked for are read").isEqualTo(64);
        assertThat(bytes(start)).isEqualTo(java.util.Arrays.copyOf(big, 64));
        in.skip(start.remaining());
        assertThat(bytes(in.take(big.length - 64))).isEqualTo(java.util.Arrays.copyOfRange(big, 64, big.length));
        assertThat(bytes(in.next())).as("the next frame is in step").isEqualTo(body(5, 8));
    }

    @Test
    void shouldRefuseAnImpossibleLengthAndAStreamEndingInsideAFrame() {
        byte[] bad = ByteBuffer.allocate(8).putInt(Frames.MAX_FRAME + 1).array();
        assertThatThrownBy(() -> new FrameInput(new Trickle(bad, List.of())).next()).isInstanceOf(Frames.GarbageException.class)
                .hasMessageContaining("exceeds");
        byte[] cut = java.util.Arrays.copyOf(frames(body(100, 1)), 50);
        assertThatThrownBy(() -> new FrameInput(new Trickle(cut, List.of())).next()).isInstanceOf(Frames.GarbageException.class)
                .hasMessageContaining("inside a frame");
    }
}
