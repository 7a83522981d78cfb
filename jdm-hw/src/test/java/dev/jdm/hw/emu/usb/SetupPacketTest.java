package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class SetupPacketTest {
    @Test
    void shouldParseTheWireBytesLittleEndian() {
        // GET_DESCRIPTOR(CONFIGURATION 0), wLength 0x0109
        SetupPacket s = SetupPacket.parse(new byte[] {(byte) 0x80, 6, 0, 2, 0x09, 0x04, 0x09, 0x01});
        assertThat(s).isEqualTo(new SetupPacket(0x80, 6, 0x0200, 0x0409, 0x0109));
        assertThat(s.isIn()).isTrue();
        assertThat(s.type()).isEqualTo(SetupPacket.Type.STANDARD);
        assertThat(s.recipient()).isEqualTo(SetupPacket.Recipient.DEVICE);
        assertThat(s.valueHigh()).isEqualTo(2);
        assertThat(s.valueLow()).isZero();
        assertThat(SetupPacket.parse(s.bytes())).isEqualTo(s);
    }

    @Test
    void shouldTellDirectionTypeAndRecipient() {
        SetupPacket setLineCoding = new SetupPacket(0x21, 0x20, 0, 0, 7);
        assertThat(setLineCoding.isIn()).isFalse();
        assertThat(setLineCoding.type()).isEqualTo(SetupPacket.Type.CLASS);
        assertThat(setLineCoding.recipient()).isEqualTo(SetupPacket.Recipient.INTERFACE);
        assertThat(new SetupPacket(0x82, 0, 0, 0x81, 2).recipient()).isEqualTo(SetupPacket.Recipient.ENDPOINT);
        assertThat(new SetupPacket(0x43, 1, 0, 0, 0).type()).isEqualTo(SetupPacket.Type.VENDOR);
        assertThat(new SetupPacket(0x43, 1, 0, 0, 0).recipient()).isEqualTo(SetupPacket.Recipient.OTHER);
        assertThat(new SetupPacket(0x65, 1, 0, 0, 0).type()).isEqualTo(SetupPacket.Type.RESERVED);
        assertThat(new SetupPacket(0x65, 1, 0, 0, 0).recipient()).isEqualTo(SetupPacket.Recipient.RESERVED);
        assertThat(new SetupPacket(0xa1, 0x21, 0xbeef, 0xffff, 0xffff).bytes())
                .containsExactly(0xa1, 0x21, 0xef, 0xbe, 0xff, 0xff, 0xff, 0xff);
    }

    @Test
    void shouldRefuseFieldsOutOfRangeAndWrongLengths() {
        assertThatThrownBy(() -> new SetupPacket(0x100, 0, 0, 0, 0)).hasMessageContaining("bmRequestType");
        assertThatThrownBy(() -> new SetupPacket(0, 0, 0x10000, 0, 0)).hasMessageContaining("wValue");
        assertThatThrownBy(() -> new SetupPacket(0, 0, 0, 0, -1)).hasMessageContaining("wLength");
        assertThatThrownBy(() -> SetupPacket.parse(new byte[7])).hasMessageContaining("8 bytes, not 7");
    }

    @Test
    void shouldRefuseTransfersThatNoEndpointCouldCarry() {
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        Transfer.Completion ignore = (s, n) -> {};
        assertThatThrownBy(() -> new Transfer(0x80, buf, 8, ignore)).hasMessageContaining("number 1-15");
        assertThatThrownBy(() -> new Transfer(0x00, buf, 8, ignore)).hasMessageContaining("number 1-15");
        assertThatThrownBy(() -> new Transfer(0x91, buf, 8, ignore)).hasMessageContaining("0x91");
        assertThatThrownBy(() -> new Transfer(0x81, buf, 65, ignore)).hasMessageContaining("does not fit the buffer of 64");
        assertThatThrownBy(() -> new Transfer(0x81, buf, 0, ignore)).hasMessageContaining("at least one byte");
        assertThatThrownBy(() -> new Transfer(0x81, buf.asReadOnly(), 8, ignore)).hasMessageContaining("writable");
        Transfer zlp = new Transfer(0x02, buf.asReadOnly(), 0, ignore); // an OUT ZLP from a read-only buffer is fine
        assertThat(zlp.isIn()).isFalse();
        assertThat(zlp.isPending()).isFalse();
        assertThat(zlp.status()).isNull();
        Transfer in = new Transfer(0x81, buf, 64, ignore);
        assertThat(in.isIn()).isTrue();
        assertThat(in.endpoint()).isEqualTo(0x81);
        assertThat(in.length()).isEqualTo(64);
    }

    @Test
    void shouldCompleteEachSubmissionOnce() {
        int[] calls = new int[1];
        Transfer t = new Transfer(0x81, MemorySegment.ofArray(new byte[8]), 8, (s, n) -> calls[0]++);
        assertThat(t.begin()).isTrue();
        assertThat(t.begin()).isFalse();
        assertThat(t.isPending()).isTrue();
        assertThat(t.complete(TransferStatus.COMPLETED, 3)).isTrue();
        assertThat(t.complete(TransferStatus.CANCELLED, 0)).isFalse();
        assertThat(calls[0]).isEqualTo(1);
        assertThat(t.status()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(t.actualLength()).isEqualTo(3);
        assertThat(t.begin()).isTrue(); // resubmitted, as a URB is
        assertThat(t.status()).isNull();
    }

    @Test
    void shouldRefuseABufferTheDeviceThreadCannotReach() throws Exception {
        CdcAcmDevice device = new CdcAcmDevice(new MemLine(false));
        device.attach();
        try (Arena confined = Arena.ofConfined()) {
            Transfer t = new Transfer(0x81, confined.allocate(64), 64, (s, n) -> {});
            assertThatThrownBy(() -> device.submit(t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confined");
            assertThat(t.isPending()).isFalse();
        } finally {
            device.detach();
        }
    }
}
