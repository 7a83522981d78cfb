package dev.jdm.isolation.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** What a crashed or hostile peer writes into shared memory is refused, never used. */
class RingFaultTest {
    private static final Doorbell NONE = new Doorbell() {
        @Override
        public void ring() {}

        @Override
        public boolean await(long timeoutMillis) {
            return false;
        }

        @Override
        public void close() {}
    };
    private final RegionLayout layout = new RegionLayout(8, 4, 4096);
    private final MemorySegment region = Arena.ofAuto().allocate(layout.totalBytes(), 4096);
    private final RingClient client = RingClient.create(region, layout, NONE, new Waiter(0, NONE, 0));
    private final RingServer server = attach();

    private RingServer attach() {
        try {
            return RingServer.attach(region, layout, NONE, new Waiter(0, NONE, 0));
        } catch (PeerFaultException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes a raw descriptor into the next request slot as a hostile host would. */
    private void forgeRequest(RequestDescriptor d) {
        MemorySegment ring = layout.requestRing(region);
        long tail = ring.get(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET);
        d.write(ring, RingLayout.slotOffset(tail, 8));
        ring.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, tail + 1);
    }

    private void forgeCompletion(RequestDescriptor d) {
        MemorySegment ring = layout.completionRing(region);
        long tail = ring.get(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET);
        d.write(ring, RingLayout.slotOffset(tail, 8));
        ring.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, tail + 1);
    }

    @Test
    void shouldRefuseARequestNamingABufferOutsideTheDataArea() {
        forgeRequest(new RequestDescriptor(1, 1, 0, 0, 512, 4, 0));
        assertThatThrownBy(server::poll).isInstanceOf(PeerFaultException.class)
                .hasMessage("request ring: bufferIndex is 4, expected in [0, 4)");
    }

    @Test
    void shouldRefuseNegativeBufferIndexLengthBeyondTheBufferNegativeOffsetAndSetStatus() {
        forgeRequest(new RequestDescriptor(1, 1, 0, 0, 512, -7, 0));
        assertThatThrownBy(server::poll).hasMessage("request ring: bufferIndex is -7, expected in [0, 4)");
        forgeRequest(new RequestDescriptor(2, 1, 0, 0, 4097, 0, 0));
        assertThatThrownBy(server::poll).hasMessage("request ring: length is 4097, expected in [0, 4096] (the buffer size)");
        forgeRequest(new RequestDescriptor(3, 1, 0, -512, 512, 0, 0));
        assertThatThrownBy(server::poll).hasMessage("request ring: offset is -512, expected 0 or more");
        forgeRequest(new RequestDescriptor(4, 1, 0, 0, 512, 0, 9));
        assertThatThrownBy(server::poll).hasMessage("request ring: status is 9, expected 0 in a request");
        forgeRequest(new RequestDescriptor(5, 1, 0, 0, 512, RequestDescriptor.NO_BUFFER, 0));
        assertThatThrownBy(server::poll).hasMessage("request ring: length is 512, expected 0 for a request without a buffer");
    }

    @Test
    void shouldRefuseATailBeyondCapacityOrMovingBackwards() throws Exception {
        MemorySegment ring = layout.requestRing(region);
        ring.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, 9);
        assertThatThrownBy(server::poll).isInstanceOf(PeerFaultException.class)
                .hasMessage("request ring: tail is 9, expected in [0, 8]");
        ring.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, 0);
        int buf = client.buffers().allocate();
        client.submit(1, 0, 0, 512, buf);
        assertThat(server.poll()).isNotNull();
        ring.set(ValueLayout.JAVA_LONG, RingLayout.TAIL_OFFSET, 0);
        assertThatThrownBy(server::poll).hasMessage("request ring: tail is 0, expected in [1, 9]");
    }

    @Test
    void shouldRefuseAHeadThatMovesPastTheTail() throws Exception {
        MemorySegment ring = layout.requestRing(region);
        RingProducer producer = new RingProducer(ring, 8, "request ring");
        for (int i = 0; i < 4; i++) {
            producer.offer(new RequestDescriptor(i, 1, 0, 0, 0, RequestDescriptor.NO_BUFFER, 0));
        }
        ring.set(ValueLayout.JAVA_LONG, RingLayout.HEAD_OFFSET, 5);
        assertThatThrownBy(producer::pending).isInstanceOf(PeerFaultException.class)
                .hasMessage("request ring: head is 5, expected in [0, 4]");
    }

    @Test
    void shouldRefuseCompletionsWithUnknownOrRepeatedIdsOrAnotherBuffer() throws Exception {
        int buf = client.buffers().allocate();
        long id = client.submit(2, 0, 0, 1024, buf);
        RequestDescriptor r = server.poll();
        forgeCompletion(new RequestDescriptor(id + 1, 2, 0, 0, 1024, buf, 0));
        assertThatThrownBy(client::poll).isInstanceOf(PeerFaultException.class)
                .hasMessageStartingWith("completion ring: id is " + (id + 1) + ", expected the id of a request in flight");
        forgeCompletion(new RequestDescriptor(id, 2, 0, 0, 1024, (buf + 1) % 4, 0));
        assertThatThrownBy(client::poll).hasMessage("completion ring: bufferIndex is " + (buf + 1) % 4 + ", expected " + buf + " (the request's)");
        forgeCompletion(new RequestDescriptor(id, 2, 0, 0, 1025, buf, 0));
        assertThatThrownBy(client::poll).hasMessage("completion ring: length is 1025, expected in [0, 1024] (the request's)");
        forgeCompletion(new RequestDescriptor(id, 2, 0, 0, 1024, buf, -5000));
        assertThatThrownBy(client::poll).hasMessage("completion ring: status is -5000, expected 0 or more, or -errno in [-4095, -1]");
        forgeCompletion(r.complete(1024));
        assertThat(client.poll().status()).isEqualTo(1024);
        forgeCompletion(new RequestDescriptor(id, 2, 0, 0, 1024, buf, 0));
        assertThatThrownBy(client::poll).hasMessageStartingWith("completion ring: id is " + id + ", expected the id of a request in flight");
    }

    @Test
    void shouldRefuseARegionWhoseHeaderDisagreesWithTheGeometryItWasGiven() {
        region.set(ValueLayout.JAVA_INT, RegionLayout.BUFFER_SIZE_OFFSET, 1 << 20);
        assertThatThrownBy(() -> RingServer.attach(region, layout, NONE, new Waiter(0, NONE, 0)))
                .hasMessage("region header: bufferSize is 1048576, expected 4096");
        region.set(ValueLayout.JAVA_LONG, RegionLayout.MAGIC_OFFSET, 0);
        assertThatThrownBy(() -> layout.check(region)).hasMessageStartingWith("region header: magic is 0");
        assertThatThrownBy(() -> layout.check(region.asSlice(0, 4096))).hasMessageStartingWith("region: size is 4096");
    }

    @Test
    void shouldNotLetTheHostSubmitABufferItDoesNotHold() {
        assertThatThrownBy(() -> client.submit(1, 0, 0, 512, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("buffer 2 is not allocated");
        int buf = client.buffers().allocate();
        assertThatThrownBy(() -> client.submit(1, 0, 0, 8192, buf)).isInstanceOf(IllegalArgumentException.class);
        client.buffers().release(buf);
        assertThatThrownBy(() -> client.buffers().release(buf)).hasMessage("buffer " + buf + " is not allocated");
    }

    @Test
    void shouldTimeOutWaitingOnASilentPeer() {
        RingClient c = RingClient.create(Arena.ofAuto().allocate(layout.totalBytes(), 4096), layout, NONE, new Waiter(1000, NONE, 50));
        assertThatThrownBy(c::take).isInstanceOf(java.util.concurrent.TimeoutException.class)
                .hasMessage("completion ring: nothing arrived within 50 ms");
    }
}
