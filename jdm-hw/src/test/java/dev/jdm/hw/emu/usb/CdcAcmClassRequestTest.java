package dev.jdm.hw.emu.usb;

import static dev.jdm.hw.emu.usb.CdcAcmStandardRequestTest.assertStall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdcAcmClassRequestTest {
    private static final int OUT = Cdc.RT_CLASS_INTERFACE_OUT;
    private static final int IN = Cdc.RT_CLASS_INTERFACE_IN;
    private CdcAcmDevice device;
    private TestHost host;

    @BeforeEach
    void attach() {
        device = new CdcAcmDevice(new MemLine(false), UsbSpeed.FULL, new Faults());
        device.attach();
        host = new TestHost(device);
    }

    @AfterEach
    void detach() {
        device.detach();
    }

    @Test
    void shouldKeepTheLineCodingTheHostSets() throws Exception {
        host.configure();
        assertThat(host.in(IN, Cdc.GET_LINE_CODING, 0, 0, 7)).containsExactly(0x80, 0x25, 0, 0, 0, 0, 8); // 9600 8N1
        host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, TestHost.b(0x00, 0xc2, 0x01, 0x00, 2, 2, 7)); // 115200, 2 stop bits, even, 7 bits
        assertThat(device.lineCoding()).isEqualTo(new LineCoding(115200, 2, 2, 7));
        assertThat(device.lineCoding()).hasToString("115200 7E2");
        assertThat(host.in(IN, Cdc.GET_LINE_CODING, 0, 0, 7)).containsExactly(0x00, 0xc2, 0x01, 0x00, 2, 2, 7);
        assertThat(host.in(IN, Cdc.GET_LINE_CODING, 0, 0, 4)).containsExactly(0x00, 0xc2, 0x01, 0x00); // a short read
        host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, new LineCoding(0xffff_ffffL, 1, 4, 16).bytes());
        assertThat(LineCoding.parse(host.in(IN, Cdc.GET_LINE_CODING, 0, 0, 7))).isEqualTo(new LineCoding(0xffff_ffffL, 1, 4, 16));
    }

    @Test
    void shouldStallALineCodingItCannotHold() throws Exception {
        host.configure();
        assertStall(() -> host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, TestHost.b(0x80, 0x25, 0, 0, 0, 0, 9)), "bDataBits is 5, 6, 7, 8 or 16, not 9");
        assertStall(() -> host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, TestHost.b(0x80, 0x25, 0, 0, 3, 0, 8)), "bCharFormat");
        assertStall(() -> host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, TestHost.b(0x80, 0x25, 0, 0, 0, 5, 8)), "bParityType");
        assertStall(() -> host.out(OUT, Cdc.SET_LINE_CODING, 0, 0, TestHost.b(0x80, 0x25, 0, 0, 0, 0)), "7 bytes");
        assertThat(device.lineCoding()).isEqualTo(LineCoding.DEFAULT);
    }

    @Test
    void shouldTakeControlLinesAndBreaks() throws Exception {
        host.configure();
        host.out(OUT, Cdc.SET_CONTROL_LINE_STATE, Cdc.CONTROL_DTR | Cdc.CONTROL_RTS, 0);
        assertThat(device.controlLineState()).isEqualTo(3);
        host.out(OUT, Cdc.SET_CONTROL_LINE_STATE, Cdc.CONTROL_RTS, 0);
        assertThat(device.controlLineState()).isEqualTo(Cdc.CONTROL_RTS);
        assertStall(() -> host.out(OUT, Cdc.SET_CONTROL_LINE_STATE, 4, 0), "DTR (bit 0) and RTS (bit 1)");
        host.out(OUT, Cdc.SEND_BREAK, 250, 0);
        host.out(OUT, Cdc.SEND_BREAK, 0xffff, 0);
        assertThat(device.breaks()).isEqualTo(2);
        assertThat(device.lastBreakMillis()).isEqualTo(0xffff);
        device.reset(); // a bus reset puts all of it back
        assertThat(device.controlLineState()).isZero();
        assertThat(device.breaks()).isZero();
        assertThat(device.lineCoding()).isEqualTo(LineCoding.DEFAULT);
    }

    @Test
    void shouldStallOtherClassRequestsAndOtherInterfaces() throws Exception {
        host.enumerate(1);
        assertStall(() -> host.in(IN, Cdc.GET_LINE_CODING, 0, 0, 7), "Configured state");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertStall(() -> host.in(IN, Cdc.GET_LINE_CODING, 0, 1, 7), "communications interface 0, not 1");
        assertStall(() -> host.out(OUT, Cdc.SEND_ENCAPSULATED_COMMAND, 0, 0, "AT\r".getBytes()), "0x00 is not supported");
        assertStall(() -> host.in(IN, Cdc.GET_ENCAPSULATED_RESPONSE, 0, 0, 64), "0x01 is not supported");
        assertStall(() -> host.in(IN, 0x03, 0, 0, 2), "0x03 is not supported"); // GET_COMM_FEATURE: not offered
        assertStall(() -> host.out(IN, Cdc.SET_LINE_CODING, 0, 0), "0x21 with wValue 0"); // wrong direction
        assertStall(() -> host.in(0xa0, Cdc.GET_LINE_CODING, 0, 0, 7), "go to an interface"); // to the device
        assertStall(() -> host.in(0xa2, Cdc.GET_LINE_CODING, 0, 0x81, 7), "go to an interface"); // to an endpoint
    }
}
