package dev.jdm.isolation.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class RingTest {
    private final MemorySegment ring = Arena.ofAuto().allocate(RingLayout.ringBytes(4), 4096);
    private final RingProducer producer = new RingProducer(ring, 4, "test ring");
    private final RingConsumer consumer = new RingConsumer(ring, 4, "test ring");

    private static RequestDescriptor d(long id) {
        return new RequestDescriptor(id, 7, 3, id * 512, 512, (int) (id % 4), 0);
    }

    @Test
    void shouldDeliverEveryDescriptorInOrderAcrossWrapArounds() throws Exception {
        for (long id = 1; id <= 1000; id++) {
            assertThat(producer.offer(d(id))).isTrue();
            if (id % 3 == 0) {
                for (long j = id - 2; j <= id; j++) {
                    assertThat(consumer.poll()).isEqualTo(d(j));
                }
            }
        }
        assertThat(consumer.poll()).isEqualTo(d(1000));
        assertThat(consumer.poll()).isNull();
        assertThat(ring.get(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET)).isEqualTo(1000);
        assertThat(ring.get(ValueLayout.JAVA_LONG, RingLayout.HEAD_OFFSET)).isEqualTo(1000);
    }

    @Test
    void shouldRefuseAnOfferWhenFullUntilTheConsumerFreesASlot() throws Exception {
        for (long id = 1; id <= 4; id++) {
            assertThat(producer.offer(d(id))).isTrue();
        }
        assertThat(producer.offer(d(5))).isFalse();
        assertThat(consumer.poll()).isEqualTo(d(1));
        assertThat(producer.offer(d(5))).isTrue();
        assertThat(producer.pending()).isEqualTo(4);
    }

    @Test
    void shouldRingOnlyWhenTheConsumerAskedAndOncePerSleep() throws Exception {
        producer.offer(d(1));
        assertThat(producer.claimNotify()).isFalse(); // the consumer never asked
        consumer.poll();
        consumer.announceWaiting();
        assertThat(ring.get(ValueLayout.JAVA_INT, RingLayout.WAITING_OFFSET)).isEqualTo(1);
        producer.offer(d(2));
        assertThat(producer.claimNotify()).isTrue();
        producer.offer(d(3));
        assertThat(producer.claimNotify()).isFalse(); // one sleep, one doorbell
        assertThat(producer.doorbells()).isEqualTo(1);
        consumer.announceWaiting();
        consumer.cancelWaiting(); // the recheck found work: the producer must not ring
        producer.offer(d(4));
        assertThat(producer.claimNotify()).isFalse();
    }

    @Test
    void shouldLayOutASlotAsTheDescriptorSays() throws Exception {
        producer.offer(new RequestDescriptor(0x1122334455667788L, 2, 0x10, 4096, 512, 3, -5));
        long s = RingLayout.SLOTS_OFFSET;
        assertThat(ring.get(ValueLayout.JAVA_LONG, s + RingLayout.SLOT_ID)).isEqualTo(0x1122334455667788L);
        assertThat(ring.get(ValueLayout.JAVA_INT, s + RingLayout.SLOT_OP)).isEqualTo(2);
        assertThat(ring.get(ValueLayout.JAVA_INT, s + RingLayout.SLOT_FLAGS)).isEqualTo(0x10);
        assertThat(ring.get(ValueLayout.JAVA_LONG, s + RingLayout.SLOT_OFFSET)).isEqualTo(4096);
        assertThat(ring.get(ValueLayout.JAVA_INT, s + RingLayout.SLOT_LENGTH)).isEqualTo(512);
        assertThat(ring.get(ValueLayout.JAVA_INT, s + RingLayout.SLOT_BUFFER)).isEqualTo(3);
        assertThat(ring.get(ValueLayout.JAVA_INT, s + RingLayout.SLOT_STATUS)).isEqualTo(-5);
    }

    @Test
    void shouldRefuseCapacitiesThatAreNotPowersOfTwo() {
        assertThatThrownBy(() -> RingLayout.ringBytes(6)).hasMessage("ring capacity must be a power of two in [2, 65536], not 6");
        assertThatThrownBy(() -> new RegionLayout(8, 0, 4096)).hasMessageContaining("buffer count must be in [1, 65536], not 0");
        assertThatThrownBy(() -> new RegionLayout(8, 4, 100)).hasMessageContaining("not 100");
    }

    @Test
    void shouldPlaceEachPartOfTheRegionOnItsOwnPage() {
        RegionLayout l = new RegionLayout(64, 32, 4096);
        assertThat(l.requestRingOffset()).isEqualTo(4096);
        assertThat(l.completionRingOffset()).isEqualTo(4096 + 8192);
        assertThat(l.buffersOffset()).isEqualTo(4096 + 2 * 8192);
        assertThat(l.totalBytes()).isEqualTo(4096 + 2 * 8192 + 32 * 4096);
        assertThat(RingLayout.TAIL_OFFSET - RingLayout.HEAD_OFFSET).isGreaterThanOrEqualTo(128);
        assertThat(RingLayout.WAITING_OFFSET - RingLayout.TAIL_OFFSET).isGreaterThanOrEqualTo(128);
    }
}
