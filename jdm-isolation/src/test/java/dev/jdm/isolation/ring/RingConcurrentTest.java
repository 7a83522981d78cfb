package dev.jdm.isolation.ring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.isolation.channel.FdDoorbell;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two threads on one ring, the consumer sleeping on an eventfd whenever it runs dry: every
 * descriptor arrives whole and in order (the release/acquire pair publishes the slot), and no
 * wake-up is lost (the consumer would hang on its doorbell and the test time out).
 */
class RingConcurrentTest {
    @Test
    void shouldDeliverAMillionDescriptorsInOrderWithoutLostWakeUps() throws Exception {
        MemorySegment ring = Arena.ofShared().allocate(RingLayout.ringBytes(16), 4096);
        try (FdDoorbell bell = FdDoorbell.eventfd()) {
            RingProducer producer = new RingProducer(ring, 16, "stress ring");
            RingConsumer consumer = new RingConsumer(ring, 16, "stress ring");
            Waiter waiter = new Waiter(0, bell, 20_000);
            int n = 1_000_000;
            CompletableFuture<Long> consumed = CompletableFuture.supplyAsync(() -> {
                try {
                    long sum = 0;
                    for (long i = 0; i < n; i++) {
                        RequestDescriptor d = waiter.take(consumer);
                        if (d.id() != i || d.offset() != i * 3 || d.length() != (int) (i & 0xFFFF)) {
                            throw new AssertionError("descriptor " + i + " arrived as " + d);
                        }
                        sum += d.id();
                    }
                    return sum;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            for (long i = 0; i < n; i++) {
                RequestDescriptor d = new RequestDescriptor(i, 1, 0, i * 3, (int) (i & 0xFFFF), 0, 0);
                while (!producer.offer(d)) {
                    Thread.onSpinWait();
                }
                if (producer.claimNotify()) {
                    bell.ring();
                }
            }
            assertThat(consumed.get(60, TimeUnit.SECONDS)).isEqualTo((long) n * (n - 1) / 2);
            assertThat(producer.doorbells()).isLessThan(n);
        }
    }
}
