package dev.jdm.host.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.mem.Kmem;
import dev.jdm.abi.mem.KmemException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModuleKmemTest {
    private boolean debug;
    private long limit = 1L << 30;
    private final ModuleKmem kmem = new ModuleKmem("t", () -> debug, () -> limit);

    @AfterEach
    void reclaim() {
        kmem.reclaim();
    }

    @Test
    void shouldHandOutDistinctZeroedObjectsOfTheRequestedSize() {
        List<MemorySegment> segs = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            long size = 1 + rnd.nextInt(Kmem.KMALLOC_MAX_SIZE);
            MemorySegment s = kmem.kzalloc(size, Kmem.GFP_KERNEL);
            assertThat(s.byteSize()).isEqualTo(size);
            assertThat(s.get(ValueLayout.JAVA_BYTE, size - 1)).isZero();
            s.fill((byte) i);
            segs.add(s);
        }
        // no two live objects overlap: each still holds the byte it was filled with
        for (int i = 0; i < segs.size(); i++) {
            MemorySegment s = segs.get(i);
            assertThat(s.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) i);
            assertThat(s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1)).isEqualTo((byte) i);
        }
        assertThat(kmem.stats().kmallocObjects()).isEqualTo(2000);
        segs.forEach(kmem::kfree);
        assertThat(kmem.stats().kmallocObjects()).isZero();
        assertThat(kmem.stats().kmallocBytes()).isZero();
    }

    @Test
    void shouldAlignDmaObjects() {
        for (int size : new int[] {1, 8, 65, 96, 100, 1000}) {
            MemorySegment s = kmem.kmalloc(size, Kmem.GFP_DMA);
            assertThat(s.address() % Kmem.DMA_ALIGNMENT).as("size %d", size).isZero();
        }
    }

    @Test
    void shouldNameDoubleFreesForeignSegmentsAndSlices() {
        MemorySegment s = kmem.kmalloc(100, Kmem.GFP_KERNEL);
        kmem.kfree(s);
        assertThatThrownBy(() -> kmem.kfree(s)).isInstanceOf(KmemException.class).hasMessageContaining("double kfree");
        MemorySegment foreign = Arena.ofAuto().allocate(64);
        assertThatThrownBy(() -> kmem.kfree(foreign)).isInstanceOf(KmemException.class).hasMessageContaining("did not kmalloc");
        MemorySegment t = kmem.kmalloc(256, Kmem.GFP_KERNEL);
        assertThatThrownBy(() -> kmem.kfree(t.asSlice(8))).hasMessageContaining("inside an object");
        assertThatThrownBy(() -> kmem.kfree(t.asSlice(0, 8))).hasMessageContaining("a slice?");
        MemorySegment v = kmem.vmalloc(10_000);
        assertThatThrownBy(() -> kmem.kfree(v)).hasMessageContaining("use vfree");
        assertThatThrownBy(() -> kmem.vfree(t)).hasMessageContaining("use kfree");
        kmem.kfree(MemorySegment.NULL); // kfree(NULL) is a no-op
        assertThatThrownBy(() -> kmem.kmalloc(0, 0)).hasMessageContaining("size must be");
        assertThatThrownBy(() -> kmem.kmalloc(Kmem.KMALLOC_MAX_SIZE + 1L, 0)).hasMessageContaining("use vmalloc");
        assertThatThrownBy(() -> kmem.kmalloc(8, 0x100)).hasMessageContaining("unknown flags");
    }

    @Test
    void shouldGiveSparseZeroedVmallocAndRevokeItOnVfree() {
        MemorySegment v = kmem.vmalloc(64L << 20);
        assertThat(v.byteSize()).isEqualTo(64L << 20);
        assertThat(v.get(ValueLayout.JAVA_LONG, (32L << 20))).isZero();
        v.set(ValueLayout.JAVA_LONG, 4096, 42);
        assertThat(kmem.stats().vmallocRegions()).isEqualTo(1);
        kmem.vfree(v);
        assertThat(kmem.stats().vmallocRegions()).isZero();
        assertThatThrownBy(() -> v.get(ValueLayout.JAVA_LONG, 4096)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldEnforceTheModuleLimitAndFailAtomicAllocationsWithNull() {
        limit = 64 * 1024;
        kmem.kmalloc(8, Kmem.GFP_KERNEL); // takes the one 64 KiB slab the limit allows
        assertThat(kmem.kmalloc(16, Kmem.GFP_ATOMIC)).isEqualTo(MemorySegment.NULL);
        assertThatThrownBy(() -> kmem.kmalloc(16, Kmem.GFP_KERNEL)).hasMessageContaining("kmem.module_limit_bytes");
        assertThatThrownBy(() -> kmem.vmalloc(4096)).hasMessageContaining("kmem.module_limit_bytes");
    }

    @Test
    void shouldReportLeaksWithSitesPoisonFreedObjectsAndFaultAfterReclaim() {
        debug = true;
        MemorySegment freed = kmem.kmalloc(32, 0);
        MemorySegment neighbour = kmem.kmalloc(32, 0);
        kmem.kfree(freed);
        // slabs stay mapped until reclaim, so the freed object can be inspected: poisoned throughout
        for (long i = 0; i < freed.byteSize(); i++) {
            assertThat(freed.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0x6b);
        }
        MemorySegment v = kmem.vmalloc(8192);
        LeakReport report = kmem.reclaim();
        assertThat(report.kmallocObjects()).isEqualTo(1);
        assertThat(report.kmallocBytes()).isEqualTo(32);
        assertThat(report.vmallocRegions()).isEqualTo(1);
        assertThat(report.lines()).hasSize(2).allMatch(l -> l.contains("ModuleKmemTest"));
        assertThatThrownBy(() -> neighbour.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> kmem.kmalloc(8, 0)).hasMessageContaining("after the module was unloaded");
        assertThat(kmem.reclaim().isEmpty()).isTrue();
    }
}
