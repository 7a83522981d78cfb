package dev.jdm.host.block;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.log.LogRing;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Extents through the block layer: the driver's runs pass checked, partitions are translated, and a bad driver fails the query alone. */
class LuExtentsTest {
    final LogRing log = new LogRing(256, null, () -> 0);
    final BlockRegistry registry = new BlockRegistry(log);

    private List<long[]> runs(LuHandle h, long offset, long length, int expected) {
        List<long[]> out = new ArrayList<>();
        assertThat(h.extents(offset, length, (bytes, flags) -> out.add(new long[] {bytes, flags}))).isEqualTo(expected);
        return out;
    }

    @Test
    void shouldReportAllDataForADriverWithoutAHoleMap() {
        registry.forEmbedder("plain").device("plain0").size(1 << 20).register(r -> r.complete(BlockStatus.OK));
        try (LuHandle h = registry.open("plain0", "test")) {
            assertThat(runs(h, 4096, 8192, BlockStatus.OK)).containsExactly(new long[] {8192, 0});
            assertThat(runs(h, (1 << 20) - 512, 1024, BlockStatus.EINVAL)).as("past the end").isEmpty();
            assertThat(runs(h, 0, 0, BlockStatus.EINVAL)).isEmpty();
        }
    }

    @Test
    void shouldPassTheDriversRunsAndAskAtTheDisksOffsetsForAPartition() {
        List<long[]> asked = new ArrayList<>();
        BlockExtents map = (offset, length, out) -> {
            asked.add(new long[] {offset, length});
            out.add(512, BlockExtents.HOLE | BlockExtents.ZERO);
            out.add(length - 512, 0);
            return BlockStatus.OK;
        };
        registry.forEmbedder("mapped").device("map0").size(1 << 20).extents(map).register(r -> r.complete(BlockStatus.OK));
        try (LuHandle h = registry.open("map0", "test")) {
            assertThat(runs(h, 8192, 4096, BlockStatus.OK)).containsExactly(new long[] {512, 3}, new long[] {3584, 0});
            assertThat(asked).containsExactly(new long[] {8192, 4096});
        }
        LogicalUnit disk = registry.lu("map0");
        LogicalUnit part = new LogicalUnit("map0p1", disk, new dev.jdm.host.block.part.Partition(1, 65536, 65536, "83", "", ""));
        asked.clear();
        assertThat(part.extents(4096, 4096, (b, f) -> { })).isEqualTo(BlockStatus.OK);
        assertThat(asked).as("the disk is asked at the partition's start plus the offset").containsExactly(new long[] {65536 + 4096, 4096});
        assertThat(part.extents(65536 - 512, 1024, (b, f) -> { })).as("past the partition's end").isEqualTo(BlockStatus.EINVAL);
    }

    @Test
    void shouldFailTheQueryWithEioAndLogWhenTheDriverMisreports() {
        BlockExtents[] bad = {
            (offset, length, out) -> BlockStatus.OK,                                    // no runs
            (offset, length, out) -> { out.add(length + 512, 0); return BlockStatus.OK; }, // past the range
            (offset, length, out) -> { out.add(length, 8); return BlockStatus.OK; },       // unknown flag
            (offset, length, out) -> { throw new IllegalStateException("map corrupt"); },
        };
        for (int i = 0; i < bad.length; i++) {
            String name = "bad" + i;
            registry.forEmbedder("liar").device(name).size(1 << 20).extents(bad[i]).register(r -> r.complete(BlockStatus.OK));
            try (LuHandle h = registry.open(name, "test")) {
                assertThat(h.extents(0, 4096, (b, f) -> { })).as("driver %d", i).isEqualTo(BlockStatus.EIO);
            }
        }
        assertThat(log.since(0)).filteredOn(r -> r.message().contains("extents")).hasSize(4)
                .anyMatch(r -> r.message().contains("reported no extents"))
                .anyMatch(r -> r.message().contains("map corrupt"));
        registry.forEmbedder("errno").device("err0").size(1 << 20).extents((o, l, out) -> BlockStatus.ENOMEM).register(r -> r.complete(0));
        try (LuHandle h = registry.open("err0", "test")) {
            assertThat(h.extents(0, 4096, (b, f) -> { })).as("a driver's errno passes").isEqualTo(BlockStatus.ENOMEM);
        }
    }
}
