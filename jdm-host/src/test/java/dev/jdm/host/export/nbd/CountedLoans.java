package dev.jdm.host.export.nbd;

import dev.jdm.host.block.BufferLender;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/** Loans of fresh native segments, counting how many were made and how many came back. */
final class CountedLoans {
    private final Arena arena = Arena.ofShared();
    final AtomicInteger lent = new AtomicInteger();
    final AtomicInteger back = new AtomicInteger();

    BufferLender.Loan lend(int bytes) {
        lent.incrementAndGet();
        MemorySegment s = arena.allocate(bytes, 4096);
        return new BufferLender.Loan() {
            @Override
            public MemorySegment segment() {
                return s;
            }

            @Override
            public void giveBack() {
                back.incrementAndGet();
            }
        };
    }
}
