package dev.jdm.gate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.jdm.gate.GateVersion;
import dev.jdm.gate.proto.BlkLsReply;
import dev.jdm.gate.proto.Error;
import dev.jdm.gate.proto.LsmodCall;
import dev.jdm.gate.proto.LsmodReply;
import dev.jdm.gate.proto.ModuleEntry;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LsmodClient's bytes are those of gate.proto's generated Request and Response. */
class LsmodClientTest {
    private static final ModuleEntry KSTACK = ModuleEntry.newBuilder().setName("kstack").setSize(123_456_789_012L).setRefcount(2)
            .addUsedBy("kstack-user").addUsedBy("другой").setState("going").setTaint("OE").setOrigin("/m/kstack.jar")
            .setSlated(true).setDomain("isolated:it").build();
    private static final ModuleEntry ODD = ModuleEntry.newBuilder().setName("odd\u00e9\uD83D\uDE00").setSize(-1).setRefcount(-7).build();

    @Test
    void shouldAskAsTheGeneratedRequestDoes() {
        for (long id : new long[] {1, 2, 300, Long.MAX_VALUE, -1}) {
            for (int[] v : new int[][] {{GateVersion.MIN, GateVersion.MAX}, {1, 0}, {0, 0}, {2, 200}}) {
                byte[] body = Request.newBuilder().setVersion(v[0]).setMaxVersion(v[1]).setId(id).setLsmod(LsmodCall.getDefaultInstance())
                        .build().toByteArray();
                byte[] frame = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
                assertThat(LsmodClient.request(v[0], v[1], id)).as("id %d versions %s", id, Arrays.toString(v)).isEqualTo(frame);
            }
        }
    }

    @Test
    void shouldReadModulesAsTheGeneratedParserDoes() throws IOException {
        Response r = Response.newBuilder().setId(1).setVersion(3).setLsmod(LsmodReply.newBuilder()
                .addModules(KSTACK).addModules(ModuleEntry.getDefaultInstance()).addModules(ODD)).build();
        assertThat(decode(r.toByteArray()).modules()).isEqualTo(rows(r)).hasSize(3);
        assertThat(decode(r.toByteArray()).error()).isFalse();
        assertThat(decode(Response.newBuilder().setId(1).setLsmod(LsmodReply.getDefaultInstance()).build().toByteArray()).modules()).isEmpty();
    }

    @Test
    void shouldSkipFieldsItDoesNotKnow() throws IOException {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(7).addFixed32(1).addFixed64(2)
                        .addLengthDelimited(ByteString.copyFromUtf8("x")).addGroup(UnknownFieldSet.newBuilder()
                                .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(9).build()).build()).build())
                .build();
        ModuleEntry newer = KSTACK.toBuilder().setUnknownFields(unknown).build();
        Response r = Response.newBuilder().setId(1).setLsmod(LsmodReply.newBuilder().addModules(newer).setUnknownFields(unknown))
                .setUnknownFields(unknown).build();
        assertThat(decode(r.toByteArray()).modules()).isEqualTo(rows(Response.parseFrom(r.toByteArray()))).hasSize(1);
    }

    @Test
    void shouldKnowResponsesResultsAsTheGeneratedClassDoes() {
        assertThat(LsmodClient.RESULTS).containsExactlyInAnyOrderElementsOf(Response.getDescriptor().getOneofs().getFirst().getFields().stream()
                .map(f -> f.getNumber()).toList());
        assertThat(Response.getDescriptor().getOneofs()).hasSize(1);
    }

    @Test
    void shouldMergeAndReplaceResultsAsTheGeneratedParserDoes() throws IOException {
        byte[] first = Response.newBuilder().setLsmod(LsmodReply.newBuilder().addModules(KSTACK)).build().toByteArray();
        byte[] second = Response.newBuilder().setId(4).setLsmod(LsmodReply.newBuilder().addModules(ODD)).build().toByteArray();
        byte[] other = Response.newBuilder().setBlkLs(BlkLsReply.getDefaultInstance()).build().toByteArray();
        // (not {first, other, second}: there the generated builder merges into the lsmod it held before other replaced it)
        for (byte[][] parts : new byte[][][] {{first, second}, {first, other}, {other, first}, {other, first, second}}) {
            byte[] bytes = concat(parts);
            assertThat(decode(bytes).modules()).isEqualTo(rows(Response.parseFrom(bytes)));
        }
        assertThat(decode(concat(first, second)).modules()).hasSize(2);
        assertThat(decode(concat(first, other)).modules()).isEmpty();
    }

    @Test
    void shouldReadTheHostsError() throws IOException {
        Response r = Response.newBuilder().setId(1).setError(Error.newBuilder().setCode("EPERM").setMessage("lsmod: no").setErrno(1)).build();
        LsmodClient.Reply reply = decode(r.toByteArray());
        assertThat(reply.error()).isTrue();
        assertThat(List.of(reply.errorCode(), reply.errorMessage(), reply.errno())).containsExactly("EPERM", "lsmod: no", 1);
        assertThat(decode(Response.newBuilder().setError(Error.getDefaultInstance()).build().toByteArray()).error()).isTrue();
    }

    @Test
    void shouldRefuseWhatTheGeneratedParserRefuses() throws IOException {
        byte[] whole = Response.newBuilder().setId(1).setLsmod(LsmodReply.newBuilder().addModules(KSTACK)).build().toByteArray();
        for (int n = 1; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            Response generated;
            try {
                generated = Response.parseFrom(cut);
            } catch (IOException e) {
                assertThatThrownBy(() -> decode(cut)).as("%d of %d bytes", n, whole.length).isInstanceOf(IOException.class);
                continue;
            }
            assertThat(decode(cut).modules()).as("%d of %d bytes", n, whole.length).isEqualTo(rows(generated)); // cut between fields
        }
        byte[] badUtf8 = Response.newBuilder().setLsmod(LsmodReply.newBuilder().addModules(ModuleEntry.newBuilder().setName("\u00e9")))
                .build().toByteArray();
        assertThat(badUtf8[badUtf8.length - 1]).isEqualTo((byte) 0xA9); // é is C3 A9, the frame's last bytes
        badUtf8[badUtf8.length - 1] = 0x28;
        assertThatThrownBy(() -> Response.parseFrom(badUtf8)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decode(badUtf8)).isInstanceOf(IOException.class).hasMessageContaining("UTF-8");
    }

    private static LsmodClient.Reply decode(byte[] body) throws IOException {
        return LsmodClient.decode(ByteBuffer.wrap(body));
    }

    private static List<LsmodClient.Module> rows(Response r) {
        return r.getLsmod().getModulesList().stream().map(m -> new LsmodClient.Module(m.getName(), m.getSize(), m.getRefcount(),
                List.copyOf(m.getUsedByList()), m.getState(), m.getTaint(), m.getOrigin(), m.getSlated(), m.getDomain())).toList();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
