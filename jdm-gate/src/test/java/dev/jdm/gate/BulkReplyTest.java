package dev.jdm.gate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.jdm.gate.proto.DevReadReply;
import dev.jdm.gate.proto.Error;
import dev.jdm.gate.proto.Response;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BulkReplyTest {
    /** A frame body as the host writes a bulk reply: the head, then dataFields, then the data. */
    static byte[] hostLayout(Response head, byte[] data) {
        byte[] h = head.toByteArray();
        ByteBuffer f = BulkReply.dataFields(data.length);
        return ByteBuffer.allocate(h.length + f.remaining() + data.length).put(h).put(f).put(data).array();
    }

    static byte[] data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i ^ (i >> 8));
        }
        return b;
    }

    @Test
    void shouldParseAsOneResponseWithTheDataSetForAnyProtobufParser() throws Exception {
        Response head = Response.newBuilder().setId(77).setVersion(3).build();
        byte[] d = data(300_000);
        Response r = Response.parseFrom(hostLayout(head, d));
        assertThat(r.getId()).isEqualTo(77);
        assertThat(r.getVersion()).isEqualTo(3);
        assertThat(r.getDevRead().getData()).isEqualTo(ByteString.copyFrom(d));
        assertThat(r.getDevRead().getEof()).isFalse();
    }

    @Test
    void shouldFindTheDataFromTheFramesFirstBytes() {
        Response head = Response.newBuilder().setId(1L << 40).setVersion(3).build();
        byte[] frame = hostLayout(head, data(1 << 20));
        BulkReply b = BulkReply.find(ByteBuffer.wrap(frame, 0, BulkReply.PREFIX).slice(), frame.length);
        assertThat(b).isNotNull();
        assertThat(b.fieldStart()).isEqualTo(head.getSerializedSize());
        assertThat(b.size()).isEqualTo(1 << 20);
        assertThat(b.dataStart() + b.size()).isEqualTo(frame.length);
        assertThat(frame[b.dataStart() + 12345]).isEqualTo(data(1 << 20)[12345]);
    }

    @Test
    void shouldNotTakeOtherLayoutsForABulkReply() {
        byte[] bulk = hostLayout(Response.newBuilder().setId(1).build(), data(100));
        byte[] more = Response.newBuilder().setMore(true).build().toByteArray();
        byte[] encoded = ByteBuffer.allocate(bulk.length + more.length).put(bulk).put(more).array(); // a field after the data
        assertThat(BulkReply.find(ByteBuffer.wrap(encoded), encoded.length)).isNull();
        byte[] error = Response.newBuilder().setId(2).setError(Error.newBuilder().setCode("EIO").setMessage("x")).build().toByteArray();
        assertThat(BulkReply.find(ByteBuffer.wrap(error), error.length)).isNull();
        byte[] frame = hostLayout(Response.newBuilder().setId(3).build(), data(1000));
        assertThat(BulkReply.find(ByteBuffer.wrap(frame, 0, BulkReply.PREFIX).slice(), frame.length + 1)).as("a length that does not end with the data").isNull();
        byte[] eof = Response.newBuilder().setId(4).setDevRead(DevReadReply.newBuilder().setEof(true)).build().toByteArray();
        assertThat(BulkReply.find(ByteBuffer.wrap(eof), eof.length)).isNull();
    }
}
