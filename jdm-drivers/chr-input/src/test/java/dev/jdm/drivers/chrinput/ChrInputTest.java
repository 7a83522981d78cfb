package dev.jdm.drivers.chrinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.chr.CharOpen;
import dev.jdm.abi.chr.Ioctl;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevList;
import dev.jdm.gate.proto.DevRecord;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.HostException;
import dev.jdm.host.chr.CharDriverContract;
import dev.jdm.host.chr.Heartbeat;
import dev.jdm.host.chr.OpenFile;
import dev.jdm.host.chr.TypedCalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChrInputTest extends CharDriverContract {
    @Override
    protected String moduleName() {
        return "chr-input";
    }

    @Override
    protected Set<String> nodes() {
        return Set.of("kbd0");
    }

    private TypedCalls calls() {
        return host.chr().calls("kbd0").orElseThrow();
    }

    static DevValue rec(Object... kv) {
        DevRecord.Builder r = DevRecord.newBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            DevValue dv = switch (v) {
                case Integer n -> DevValue.newBuilder().setIntValue(n).build();
                case String s -> DevValue.newBuilder().setStringValue(s).build();
                case DevValue d -> d;
                default -> throw new IllegalArgumentException(v.toString());
            };
            r.putFields((String) kv[i], dv);
        }
        return DevValue.newBuilder().setRecordValue(r).build();
    }

    static DevValue press(int code) {
        return rec("events", DevValue.newBuilder().setListValue(DevList.newBuilder().addItems(rec("code", code, "action", "PRESS"))).build());
    }

    private DevValue feed(DevValue keys) {
        return calls().invoke("feed", calls().schema().getMethodsList().stream().filter(m -> m.getName().equals("feed")).findFirst()
                .orElseThrow().getFingerprint(), keys);
    }

    @Test
    void aFedKeyIsReadAsAnEvdevKeyEventFollowedBySynReport() throws Exception {
        try (OpenFile f = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK, admin)) {
            DevValue fed = feed(press(30));
            assertThat(fed.getRecordValue().getFieldsMap().get("readers").getIntValue()).isEqualTo(1);
            ByteBuffer b = ByteBuffer.wrap(f.read(4096, Heartbeat.NONE)).order(ByteOrder.nativeOrder());
            assertThat(b.remaining()).isEqualTo(48);
            assertThat(b.getShort(16)).as("EV_KEY").isEqualTo((short) 1);
            assertThat(b.getShort(18)).as("KEY_A").isEqualTo((short) 30);
            assertThat(b.getInt(20)).as("pressed").isEqualTo(1);
            assertThat(b.getShort(24 + 16)).as("EV_SYN").isZero();
            assertThatThrownBy(() -> f.read(4096, Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EAGAIN));
        }
    }

    @Test
    void whileAReaderHoldsItExclusivelyNobodyElseGetsInputAndAfterItClosesTheyDo() throws Exception {
        try (OpenFile other = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK, admin)) {
            OpenFile holder = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK | CharOpen.EXCL, admin);
            feed(press(31));
            assertThat(holder.read(4096, Heartbeat.NONE)).hasSize(48);
            assertThatThrownBy(() -> other.read(4096, Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EAGAIN));
            holder.close();
            feed(press(32));
            assertThat(other.read(4096, Heartbeat.NONE)).hasSize(48);
        }
    }

    @Test
    void aBadKeyCodeIsTheDeclaredTypedErrorEinval() {
        assertThatThrownBy(() -> feed(press(9999))).isInstanceOf(HostException.class)
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("kbd0.feed").hasMessageContaining("events[0].code 9999 is not a key code");
        assertThatThrownBy(() -> calls().invoke("type", "", rec("text", "\u00e9"))).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EINVAL))
                .hasMessageContaining("has no key on a US layout");
    }

    @Test
    void argumentsThatDoNotFitTheRecordsAreRefusedNamingTheFieldAndNothingRuns() {
        long before = calls().invoke("status", "", null).getRecordValue().getFieldsMap().get("delivered").getIntValue();
        try (OpenFile f = host.chr().open("kbd0", CharOpen.READ | CharOpen.NONBLOCK, admin)) {
            assertThatThrownBy(() -> feed(rec("events", DevValue.newBuilder().setListValue(DevList.newBuilder()
                    .addItems(rec("code", "thirty", "action", "PRESS"))).build())))
                    .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining("args.events[0].code: expected an int32, got a string");
            assertThatThrownBy(() -> feed(rec("events", DevValue.newBuilder().setListValue(DevList.newBuilder()
                    .addItems(rec("code", 30, "action", "SMASH"))).build())))
                    .hasMessageContaining("\"SMASH\" is not one of enum(RELEASE|PRESS|REPEAT)");
            assertThatThrownBy(() -> feed(rec("keys", 1))).hasMessageContaining("args.events: missing");
        }
        assertThat(calls().invoke("status", "", null).getRecordValue().getFieldsMap().get("delivered").getIntValue()).isEqualTo(before);
    }

    @Test
    void anUnknownMethodAndAStaleFingerprintAreRefusedClearly() {
        assertThatThrownBy(() -> calls().invoke("smash", "", null)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOSYS))
                .hasMessageContaining("kbd0 has no typed call \"smash\" (its calls: feed, status, type)");
        assertThatThrownBy(() -> calls().invoke("feed", "0123456789abcdef", press(30)))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EPROTO))
                .hasMessageContaining("fingerprint 0123456789abcdef").hasMessageContaining("nothing ran");
    }

    @Test
    void theSchemaNamesTheRecordsFieldsAndDeclaredErrors() {
        var s = calls().schema();
        assertThat(s.getInterface()).isEqualTo("Keyboard");
        assertThat(s.getMethodsList()).extracting(m -> m.getName() + "(" + m.getInput() + ")->" + m.getOutput() + " " + m.getErrorsList())
                .containsExactly("feed(Keys)->Fed [EINVAL]", "status()->Status []", "type(Text)->Fed [EINVAL]");
        assertThat(s.getTypesList()).anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("KeyEvent");
            assertThat(t.getFieldsList()).extracting(f -> f.getName() + " " + f.getType())
                    .containsExactly("code int32", "action enum(RELEASE|PRESS|REPEAT)");
        });
    }

    @Test
    void legacyIoctlsCarryTheIocEncoding() {
        try (OpenFile f = host.chr().open("kbd0", CharOpen.READ, admin)) {
            OpenFile.IoctlResult v = f.ioctl(Reader.EVIOCGVERSION, new byte[0]);
            assertThat(ByteBuffer.wrap(v.arg()).order(ByteOrder.nativeOrder()).getInt()).isEqualTo(0x010001);
            OpenFile.IoctlResult name = f.ioctl(Ioctl.ioc(Ioctl.READ, 'E', 0x06, 64), new byte[0]);
            assertThat(new String(name.arg(), 0, (int) name.value() - 1)).isEqualTo("jdm emulated keyboard");
            assertThatThrownBy(() -> f.ioctl(Ioctl.io('E', 0x7f), new byte[0])).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOTTY));
            assertThatThrownBy(() -> f.ioctl(Ioctl.iow('E', 0x90, 4), new byte[2])).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EINVAL))
                    .hasMessageContaining("the argument is 2 bytes");
        }
    }
}
