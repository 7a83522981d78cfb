package dev.jdm.isolation.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    private final Arena arena = Arena.ofAuto();

    private BufferPool pool(int count) {
        return new BufferPool(new BufferArea(arena.allocate(count * 64L, 64), count, 64, "test area"));
    }

    @Test
    void shouldAllocateARunOfConsecutiveFreeBuffersAndKeepTheRestAllocatable() {
        BufferPool p = pool(8);
        int single = p.allocate();
        int run = p.allocateRun(3);
        assertThat(run).isNotEqualTo(single);
        assertThat(single < run || single > run + 2).as("the single buffer is not in the run").isTrue();
        assertThat(p.available()).isEqualTo(4);
        java.util.Set<Integer> rest = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            rest.add(p.allocate());
        }
        assertThat(rest).hasSize(4).doesNotContain(single, run, run + 1, run + 2);
        assertThat(p.allocate()).isEqualTo(-1);
        p.release(run + 1); // each buffer of a run is released on its own
        assertThat(p.allocate()).isEqualTo(run + 1);
    }

    @Test
    void shouldFindNoRunWhereTheFreeBuffersAreScattered() {
        BufferPool p = pool(6);
        for (int i = 0; i < 6; i++) {
            p.allocate();
        }
        p.release(0);
        p.release(2);
        p.release(4);
        p.release(5);
        assertThat(p.allocateRun(3)).isEqualTo(-1);
        assertThat(p.available()).as("a failed search takes nothing").isEqualTo(4);
        assertThat(p.allocateRun(2)).isEqualTo(4);
        assertThat(p.available()).isEqualTo(2);
        assertThatThrownBy(() -> p.allocateRun(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.allocateRun(7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldSpanARunAsOneSegmentAndRefuseOneOutsideTheArea() {
        BufferPool p = pool(4);
        int run = p.allocateRun(2);
        assertThat(p.area().span(run, 2).byteSize()).isEqualTo(128);
        assertThat(p.area().span(run, 2).address()).isEqualTo(p.area().address() + run * 64L);
        assertThatThrownBy(() -> p.area().span(3, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("test area");
    }
}
