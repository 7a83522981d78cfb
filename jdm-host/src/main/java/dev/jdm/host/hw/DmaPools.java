package dev.jdm.host.hw;

import dev.jdm.abi.hw.Dma;
import dev.jdm.abi.hw.DmaBuffer;
import dev.jdm.abi.hw.DmaPool;
import dev.jdm.abi.hw.HwException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * DMA pools over any {@link Dma}: small blocks carved from its coherent pages, as Linux's
 * {@code dma_pool}. Shared by a colocated driver's DMA and an isolated domain's.
 */
public final class DmaPools {
    private static final int PAGE = 4096;

    private DmaPools() {}

    /**
     * A pool of {@code blockSize}-byte blocks aligned to {@code align} from {@code dma}'s pages.
     *
     * @throws HwException EINVAL for a block size outside 1..4096 or an alignment that is not a power of two up to 4096
     */
    public static DmaPool over(Dma dma, int blockSize, int align, String device) {
        if (blockSize < 1 || blockSize > PAGE || align < 1 || Integer.bitCount(align) != 1 || align > PAGE) {
            throw new HwException(HwException.EINVAL, device + ": a DMA pool of " + blockSize + "-byte blocks aligned to " + align
                    + " (blocks 1..4096 bytes, alignment a power of two up to 4096)");
        }
        return new Pool(dma, device, blockSize, (blockSize + align - 1) / align * align);
    }

    /** Blocks carved from coherent pages; a freed block goes back on the free list. */
    private static final class Pool implements DmaPool {
        private final Dma dma;
        private final String device;
        private final int blockSize;
        private final int stride;
        private final Deque<Block> free = new ArrayDeque<>();
        private final Deque<DmaBuffer> pages = new ArrayDeque<>();
        private boolean closed;

        Pool(Dma dma, String device, int blockSize, int stride) {
            this.dma = dma;
            this.device = device;
            this.blockSize = blockSize;
            this.stride = stride;
        }

        @Override
        public int blockSize() {
            return blockSize;
        }

        @Override
        public synchronized DmaBuffer allocate() {
            if (closed) {
                throw new HwException(HwException.EINVAL, device + ": the DMA pool is closed");
            }
            if (free.isEmpty()) {
                DmaBuffer page = dma.coherent(PAGE);
                pages.add(page);
                for (long off = 0; off + blockSize <= PAGE; off += stride) {
                    free.add(new Block(page, off));
                }
            }
            Block b = free.pop();
            b.memory().fill((byte) 0);
            b.inUse = true;
            return b;
        }

        synchronized void giveBack(Block b) {
            if (b.inUse && !closed) {
                b.inUse = false;
                free.push(b);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            pages.forEach(DmaBuffer::close);
            pages.clear();
            free.clear();
        }

        private final class Block implements DmaBuffer {
            private final DmaBuffer page;
            private final long offset;
            private boolean inUse;

            Block(DmaBuffer page, long offset) {
                this.page = page;
                this.offset = offset;
            }

            @Override
            public long busAddress() {
                return page.busAddress() + offset;
            }

            @Override
            public MemorySegment memory() {
                return page.memory().asSlice(offset, blockSize);
            }

            @Override
            public long size() {
                return blockSize;
            }

            @Override
            public void close() {
                giveBack(this);
            }
        }
    }
}
