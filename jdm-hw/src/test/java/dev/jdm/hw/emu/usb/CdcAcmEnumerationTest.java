package dev.jdm.hw.emu.usb;

import static dev.jdm.hw.emu.usb.TestHost.le16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.Faults;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class CdcAcmEnumerationTest {
    private CdcAcmDevice device;

    @AfterEach
    void detach() {
        if (device != null) {
            device.detach();
        }
    }

    private TestHost attach(UsbSpeed speed) {
        device = new CdcAcmDevice(new MemLine(false), speed, new Faults(), "0123456789");
        device.attach();
        return new TestHost(device);
    }

    @Test
    void shouldAnswerTheFirstEightBytesAtAddressZeroThenTakeItsAddress() throws Exception {
        TestHost host = attach(UsbSpeed.HIGH);
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
        byte[] eight = host.descriptor(Ch9.DT_DEVICE, 0, 0, 8); // what a host asks before it knows bMaxPacketSize0
        assertThat(eight).containsExactly(18, 1, 0x00, 0x02, 0x02, 0x00, 0x00, 64);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 7, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.ADDRESS);
        assertThat(device.address()).isEqualTo(7);
    }

    @ParameterizedTest
    @EnumSource(value = UsbSpeed.class, names = {"FULL", "HIGH"})
    void shouldDescribeItselfAsGadgetSerialInAcmMode(UsbSpeed speed) throws Exception {
        TestHost host = attach(speed);
        byte[] config = host.enumerate(3);
        byte[] dev = host.descriptor(Ch9.DT_DEVICE, 0, 0, 18);
        assertThat(dev).hasSize(18);
        assertThat(dev[0]).isEqualTo((byte) 18); // bLength
        assertThat(dev[1]).isEqualTo((byte) Ch9.DT_DEVICE);
        assertThat(le16(dev, 2)).isEqualTo(0x0200); // bcdUSB
        assertThat(dev[4]).isEqualTo((byte) 0x02); // bDeviceClass CDC
        assertThat(dev[5]).isEqualTo((byte) 0); // bDeviceSubClass
        assertThat(dev[6]).isEqualTo((byte) 0); // bDeviceProtocol
        assertThat(dev[7]).isEqualTo((byte) 64); // bMaxPacketSize0
        assertThat(le16(dev, 8)).isEqualTo(0x0525); // idVendor
        assertThat(le16(dev, 10)).isEqualTo(0xa4a7); // idProduct
        assertThat(le16(dev, 12)).isEqualTo(0x2400); // bcdDevice
        assertThat(new int[] {dev[14], dev[15], dev[16]}).containsExactly(1, 2, 3); // strings
        assertThat(dev[17]).isEqualTo((byte) 1); // bNumConfigurations

        List<byte[]> ds = split(config);
        assertThat(ds).extracting(d -> (int) d[1]).containsExactly(
                Ch9.DT_CONFIGURATION, Ch9.DT_INTERFACE, 0x24, 0x24, 0x24, 0x24, Ch9.DT_ENDPOINT,
                Ch9.DT_INTERFACE, Ch9.DT_ENDPOINT, Ch9.DT_ENDPOINT);
        assertThat(ds.get(0)).containsExactly(9, 2, 67, 0, 2, 1, 4, 0xc0, 1); // 67 bytes, 2 interfaces, value 1, self-powered, 2 mA
        assertThat(ds.get(1)).containsExactly(9, 4, 0, 0, 1, 0x02, 0x02, 0x01, 5); // comm: ACM, AT commands, 1 endpoint
        assertThat(ds.get(2)).containsExactly(5, 0x24, 0x00, 0x10, 0x01); // header, bcdCDC 1.10
        assertThat(ds.get(3)).containsExactly(5, 0x24, 0x01, 0x00, 1); // call management: none, data interface 1
        assertThat(ds.get(4)).containsExactly(4, 0x24, 0x02, 0x06); // ACM: line coding + serial state, send break
        assertThat(ds.get(5)).containsExactly(5, 0x24, 0x06, 0, 1); // union: master 0, slave 1
        int interval = speed == UsbSpeed.HIGH ? 9 : 32;
        assertThat(ds.get(6)).containsExactly(7, 5, 0x83, 0x03, 16, 0, interval); // interrupt IN, 16 bytes, 32 ms
        assertThat(ds.get(7)).containsExactly(9, 4, 1, 0, 2, 0x0a, 0, 0, 6); // data
        int mps = speed == UsbSpeed.HIGH ? 512 : 64;
        assertThat(ds.get(8)).containsExactly(7, 5, 0x81, 0x02, mps & 0xff, mps >> 8, 0); // bulk IN
        assertThat(ds.get(9)).containsExactly(7, 5, 0x02, 0x02, mps & 0xff, mps >> 8, 0); // bulk OUT
    }

    @Test
    void shouldGiveItsStringsInUtf16AndItsLanguageList() throws Exception {
        TestHost host = attach(UsbSpeed.HIGH);
        assertThat(host.descriptor(Ch9.DT_STRING, 0, 0, 255)).containsExactly(4, 3, 0x09, 0x04);
        assertThat(string(host, 1)).isEqualTo("jdm");
        assertThat(string(host, 2)).isEqualTo("Gadget Serial v2.4");
        assertThat(string(host, 3)).isEqualTo("0123456789");
        assertThat(string(host, 4)).isEqualTo("CDC ACM config");
        assertThat(string(host, 5)).isEqualTo("CDC Abstract Control Model (ACM)");
        assertThat(string(host, 6)).isEqualTo("CDC ACM Data");
        byte[] head = host.descriptor(Ch9.DT_STRING, 3, 0x0409, 2); // a host may read bLength first
        assertThat(head).containsExactly(22, 3);
        assertThatThrownBy(() -> host.descriptor(Ch9.DT_STRING, 7, 0x0409, 255)).isInstanceOf(UsbStall.class);
        assertThatThrownBy(() -> host.descriptor(Ch9.DT_STRING, 1, 0x0407, 255))
                .isInstanceOf(UsbStall.class).hasMessageContaining("0x0409 only");
    }

    @Test
    void shouldDescribeTheOtherSpeedAsADualSpeedDevice() throws Exception {
        TestHost host = attach(UsbSpeed.HIGH);
        assertThat(host.descriptor(Ch9.DT_DEVICE_QUALIFIER, 0, 0, 10)).containsExactly(10, 6, 0x00, 0x02, 0x02, 0, 0, 64, 1, 0);
        byte[] other = host.descriptor(Ch9.DT_OTHER_SPEED_CONFIGURATION, 0, 0, 255);
        assertThat(other).hasSize(67);
        assertThat(other[1]).isEqualTo((byte) Ch9.DT_OTHER_SPEED_CONFIGURATION);
        assertThat(split(other).get(8)).containsExactly(7, 5, 0x81, 0x02, 64, 0, 0); // full-speed bulk IN
        CdcAcmDevice full = new CdcAcmDevice(new MemLine(false), UsbSpeed.FULL, new Faults());
        full.attach();
        try {
            byte[] fullConfig = new TestHost(full).descriptor(Ch9.DT_CONFIGURATION, 0, 0, 255);
            assertThat(fullConfig[1]).isEqualTo((byte) Ch9.DT_CONFIGURATION);
            assertThat(Arrays.copyOfRange(other, 2, 67)).isEqualTo(Arrays.copyOfRange(fullConfig, 2, 67)); // all but the type
            assertThat(new TestHost(full).descriptor(Ch9.DT_DEVICE_QUALIFIER, 0, 0, 10)).hasSize(10);
        } finally {
            full.detach();
        }
    }

    @Test
    void shouldRefuseLowSpeedAndNamelessDescriptors() throws Exception {
        assertThatThrownBy(() -> new CdcAcmDevice(new MemLine(false), UsbSpeed.LOW, new Faults()))
                .hasMessageContaining("low speed");
        TestHost host = attach(UsbSpeed.FULL);
        assertThat(device.speed()).isEqualTo(UsbSpeed.FULL);
        assertThatThrownBy(() -> host.descriptor(Ch9.DT_CONFIGURATION, 1, 0, 9)).isInstanceOf(UsbStall.class);
        assertThatThrownBy(() -> host.descriptor(Ch9.DT_INTERFACE, 0, 0, 9)).isInstanceOf(UsbStall.class);
        assertThatThrownBy(() -> host.descriptor(0x21, 0, 0, 9)).isInstanceOf(UsbStall.class); // HID: not this device
        assertThatThrownBy(() -> host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_DESCRIPTOR, 0x2200, 0, 64)).isInstanceOf(UsbStall.class);
    }

    private static String string(TestHost host, int index) throws Exception {
        byte[] d = host.descriptor(Ch9.DT_STRING, index, 0x0409, 255);
        assertThat(d[0] & 0xff).isEqualTo(d.length);
        assertThat(d[1]).isEqualTo((byte) Ch9.DT_STRING);
        return new String(d, 2, d.length - 2, StandardCharsets.UTF_16LE);
    }

    /** The descriptors of a configuration set, each checked to be as long as it says. */
    static List<byte[]> split(byte[] config) {
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < config.length; ) {
            int len = config[at] & 0xff;
            assertThat(len).isGreaterThanOrEqualTo(2);
            out.add(Arrays.copyOfRange(config, at, at + len));
            at += len;
        }
        assertThat(le16(config, 2)).isEqualTo(config.length);
        return out;
    }
}
