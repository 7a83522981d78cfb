package dev.jdm.host.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A module's memory goes back to the system at unload. Slabs from the C allocator stayed mapped
 * and resident after free (measured: a module filling 1 GiB with kmalloc left about 480 MiB more
 * RSS after unload than one whose slabs are unmapped); the rest of what stays is Java heap the
 * collector keeps committed, not a leak.
 */
class KmemReturnTest {
    private static final MethodHandle MINCORE = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mincore").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /** Whether the page at {@code address} is mapped and resident (mincore(2); unmapped pages give ENOMEM). */
    private static boolean resident(long address) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment vec = a.allocate(1);
            int rc = (int) MINCORE.invokeExact(MemorySegment.ofAddress(address), 4096L, vec);
            return rc == 0 && (vec.get(ValueLayout.JAVA_BYTE, 0) & 1) != 0;
        }
    }

    @Test
    void shouldGiveSlabPagesBackToTheSystemAtReclaim() throws Throwable {
        ModuleKmem kmem = new ModuleKmem("hog", () -> false, () -> 64L << 20);
        List<Long> pages = new ArrayList<>();
        try {
            while (true) { // allocate to the limit, as the probe's module did
                MemorySegment s = kmem.kmalloc(4096, 0);
                s.fill((byte) 1);
                pages.add(s.address());
            }
        } catch (RuntimeException limitReached) {
            assertThat(limitReached).hasMessageContaining("module memory limit");
        }
        assertThat(pages).hasSizeGreaterThan(10_000);
        List<Long> sample = new ArrayList<>();
        for (int i = 0; i < pages.size(); i += 16) {
            sample.add(pages.get(i));
        }
        long residentBefore = count(sample);
        assertThat(residentBefore).isEqualTo(sample.size());
        kmem.reclaim();
        // A few pages may be mapped again by the JVM meanwhile; memory kept by an allocator stays resident throughout.
        assertThat(count(sample)).as("pages still resident after reclaim, of " + sample.size()).isLessThan(sample.size() / 20);
    }

    private static long count(List<Long> pages) throws Throwable {
        long n = 0;
        for (long p : pages) {
            if (resident(p)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldAllocateNothingOnceReclaimedAsAfterAnInitTimeout() {
        // an init that timed out keeps running; the host reclaims its memory, and every later call fails
        ModuleKmem kmem = new ModuleKmem("late", () -> false, () -> 1L << 30);
        kmem.kmalloc(64, 0);
        kmem.reclaim();
        assertThatThrownBy(() -> kmem.kmalloc(64, 0)).hasMessageContaining("after the module was unloaded");
        assertThatThrownBy(() -> kmem.vmalloc(1 << 20)).hasMessageContaining("after the module was unloaded");
    }
}
