package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.Faults;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CdcAcmStandardRequestTest {
    private CdcAcmDevice device;
    private TestHost host;

    @BeforeEach
    void attach() {
        device = new CdcAcmDevice(new MemLine(false), UsbSpeed.HIGH, new Faults());
        device.attach();
        host = new TestHost(device);
    }

    @AfterEach
    void detach() {
        device.detach();
    }

    @Test
    void shouldStallWhatNeedsAnAddressInTheDefaultState() {
        assertStall(() -> host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1), "Address or Configured");
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0), "SET_ADDRESS first");
        assertStall(() -> host.in(Ch9.RT_DEVICE_IN, Ch9.GET_STATUS, 0, 0, 2), "the device is DEFAULT");
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
    }

    @Test
    void shouldMoveBetweenDefaultAddressAndConfigured() throws Exception {
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 0, 0); // not an error: stays Default
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 9, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.ADDRESS);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 12, 0); // a new address, still Address
        assertThat(device.address()).isEqualTo(12);
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1)).containsExactly(0);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 0, 0); // 0 in Address: stays
        assertThat(device.state()).isEqualTo(UsbDeviceState.ADDRESS);
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 2, 0), "does not exist");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.CONFIGURED);
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1)).containsExactly(1);
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 3, 0), "Configured state is not specified");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 0, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.ADDRESS);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 0, 0); // back to Default
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
        assertThat(device.address()).isZero();
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 4, 0);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        device.reset(); // a bus reset: Default, address 0, unconfigured
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
        assertThat(device.address()).isZero();
    }

    @Test
    void shouldReportStatusOfDeviceInterfacesAndEndpointsByState() throws Exception {
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 2, 0);
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_STATUS, 0, 0, 2)).containsExactly(1, 0); // self-powered, no remote wakeup
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x00, 2)).containsExactly(0, 0);
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x80, 2)).containsExactly(0, 0);
        assertStall(() -> host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x81, 2), "does not exist in the ADDRESS state");
        assertStall(() -> host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_STATUS, 0, 0, 2), "Configured");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_STATUS, 0, 1, 2)).containsExactly(0, 0);
        for (int ep : new int[] {0x81, 0x02, 0x83}) {
            assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, ep, 2)).containsExactly(0, 0);
        }
        assertStall(() -> host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_STATUS, 0, 2, 2), "interface 2 does not exist");
        assertStall(() -> host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x01, 2), "0x01 does not exist"); // ep 1 is IN only
        assertStall(() -> host.in(Ch9.RT_DEVICE_IN, Ch9.GET_STATUS, 0, 0, 1), "wLength 2");
    }

    @Test
    void shouldHaltAndClearAnEndpointWithItsTransfers() throws Exception {
        host.configure();
        TestHost.Urb queued = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, Ch9.ENDPOINT_HALT, 0x81);
        assertThat(queued.await().status()).isEqualTo(TransferStatus.STALL); // what was queued meets the STALL
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x81, 2)).containsExactly(1, 0);
        assertThat(host.submitIn(CdcAcmDevice.BULK_IN, 512).await().status()).isEqualTo(TransferStatus.STALL);
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x02, 2)).containsExactly(0, 0); // the others go on
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.CLEAR_FEATURE, Ch9.ENDPOINT_HALT, 0x81);
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x81, 2)).containsExactly(0, 0);
        TestHost.Urb after = host.submitIn(CdcAcmDevice.BULK_IN, 512);
        Thread.sleep(20);
        assertThat(after.isDone()).isFalse(); // NAK: nothing to send, and no STALL
        device.cancel(after.transfer);

        // SET_INTERFACE(alt 0) and SET_CONFIGURATION(1) again both reset the endpoints
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, Ch9.ENDPOINT_HALT, 0x02);
        host.out(Ch9.RT_INTERFACE_OUT, Ch9.SET_INTERFACE, 0, 1);
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x02, 2)).containsExactly(0, 0);
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, Ch9.ENDPOINT_HALT, 0x83);
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(host.in(Ch9.RT_ENDPOINT_IN, Ch9.GET_STATUS, 0, 0x83, 2)).containsExactly(0, 0);
        // endpoint 0 takes halt requests and stays usable
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, Ch9.ENDPOINT_HALT, 0x00);
        host.out(Ch9.RT_ENDPOINT_OUT, Ch9.CLEAR_FEATURE, Ch9.ENDPOINT_HALT, 0x80);
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1)).containsExactly(1);
    }

    @Test
    void shouldHaveAlternateSettingZeroOnly() throws Exception {
        host.enumerate(2);
        assertStall(() -> host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_INTERFACE, 0, 0, 1), "Configured");
        assertStall(() -> host.out(Ch9.RT_INTERFACE_OUT, Ch9.SET_INTERFACE, 0, 0), "Configured");
        host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_INTERFACE, 0, 0, 1)).containsExactly(0);
        assertThat(host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_INTERFACE, 0, 1, 1)).containsExactly(0);
        assertStall(() -> host.in(Ch9.RT_INTERFACE_IN, Ch9.GET_INTERFACE, 0, 2, 1), "interface 2 does not exist");
        assertStall(() -> host.out(Ch9.RT_INTERFACE_OUT, Ch9.SET_INTERFACE, 1, 1), "alternate setting 0 only");
        host.out(Ch9.RT_INTERFACE_OUT, Ch9.SET_INTERFACE, 0, 0);
    }

    @Test
    void shouldStallBadAndUnsupportedRequests() throws Exception {
        host.configure();
        assertStall(() -> host.in(0x80, 0x42, 0, 0, 4), "not a standard request");
        assertStall(() -> host.in(0x81, Ch9.GET_CONFIGURATION, 0, 0, 1), "bmRequestType 0x80"); // wrong recipient
        assertStall(() -> host.out(0x80, Ch9.SET_ADDRESS, 1, 0), "bmRequestType 0x00"); // wrong direction
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, 128, 0), "0-127");
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_FEATURE, Ch9.DEVICE_REMOTE_WAKEUP, 0), "remote wakeup");
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_FEATURE, Ch9.TEST_MODE, 0x0100), "test modes");
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.CLEAR_FEATURE, Ch9.DEVICE_REMOTE_WAKEUP, 0), "remote wakeup");
        assertStall(() -> host.out(Ch9.RT_INTERFACE_OUT, Ch9.SET_FEATURE, 0, 0), "no features");
        assertStall(() -> host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, 5, 0x81), "feature 5");
        assertStall(() -> host.out(Ch9.RT_ENDPOINT_OUT, Ch9.SET_FEATURE, Ch9.ENDPOINT_HALT, 0x85), "0x85 does not exist");
        assertStall(() -> host.out(Ch9.RT_DEVICE_OUT, Ch9.SET_DESCRIPTOR, 0x0100, 0, new byte[18]), "optional");
        assertStall(() -> host.in(Ch9.RT_ENDPOINT_IN, Ch9.SYNCH_FRAME, 0, 0x81, 2), "isochronous");
        assertStall(() -> host.in(0xc0, 0x01, 0, 0, 4), "no vendor requests");
        assertStall(() -> host.in(0xe0, 0x01, 0, 0, 4), "reserved");
        assertThatThrownBy(() -> device.control(new SetupPacket(0x21, 0x20, 0, 0, 7), new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes, wLength says 7");
        assertThat(host.in(Ch9.RT_DEVICE_IN, Ch9.GET_CONFIGURATION, 0, 0, 1)).containsExactly(1); // still answering
    }

    @Test
    void shouldAnswerNothingWhenDetached() throws Exception {
        device.detach();
        assertThat(device.state()).isEqualTo(UsbDeviceState.DETACHED);
        assertThatThrownBy(() -> host.descriptor(Ch9.DT_DEVICE, 0, 0, 18))
                .isInstanceOfSatisfying(UsbTransferException.class, e -> assertThat(e.status()).isEqualTo(TransferStatus.NO_DEVICE))
                .hasMessageContaining("not attached");
        device.attach(); // plugged in again: a new enumeration
        assertThat(device.state()).isEqualTo(UsbDeviceState.DEFAULT);
        host.configure();
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertStall(Call c, String reason) {
        assertThatThrownBy(c::run).isInstanceOf(UsbStall.class).hasMessageContaining(reason)
                .satisfies(e -> assertThat(((UsbStall) e).status()).isEqualTo(TransferStatus.STALL));
    }
}
