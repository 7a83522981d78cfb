package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.export.ExportableDevice;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The connection's pool asks the device for large buffers and gives lent ones back, never pooling them. */
class BufferPoolLoanTest {
    private final CountedLoans loans = new CountedLoans();

    /** A device that lends every buffer it is asked for; nothing else of it is used here. */
    private final ExportableDevice device = (ExportableDevice) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ExportableDevice.class}, (proxy, method, args) -> {
                if (!method.getName().equals("lend")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                return loans.lend((int) args[0]);
            });

    @Test
    void shouldBorrowLargeBuffersOnlyAndGiveThemBackOnceWhetherGivenOrDropped() {
        BufferPool pool = new BufferPool(64 << 20);
        ByteBuffer small = pool.take(BufferPool.LEND_FROM - 1, device);
        assertThat(loans.lent.get()).as("a small payload is not worth a loan").isZero();
        ByteBuffer big = pool.take(1 << 20, device);
        assertThat(loans.lent.get()).isEqualTo(1);
        assertThat(big.limit()).isEqualTo(1 << 20);
        pool.give(big);
        assertThat(loans.back.get()).isEqualTo(1);
        assertThat(pool.take(1 << 20)).as("the lent buffer never entered the pool").isNotSameAs(big);
        ByteBuffer failed = pool.take(1 << 20, device);
        pool.drop(failed);
        assertThat(loans.back.get()).isEqualTo(2);
        pool.give(small);
        assertThat(pool.take(BufferPool.LEND_FROM - 1)).as("our own buffers are still pooled").isSameAs(small);
    }
}
