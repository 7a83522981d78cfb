package dev.jdm.hw.emu.usb;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the host's side of the bus does with a device, written the way a host stack would. */
final class TestHost {
    static final Duration WAIT = Duration.ofSeconds(5);

    /** One submitted transfer, with where its completion lands. */
    static final class Urb {
        final Transfer transfer;
        final byte[] data;
        final CompletableFuture<Done> done = new CompletableFuture<>();
        final List<Done> completions = new ArrayList<>(); // guarded by itself
        final List<Thread> threads = new ArrayList<>();

        Urb(int endpoint, int length, byte[] out) {
            data = out != null ? out : new byte[length];
            transfer = new Transfer(endpoint, MemorySegment.ofArray(data), length, (s, n) -> {
                Done d = new Done(s, n, Arrays.copyOf(data, Math.min(n, data.length)));
                synchronized (completions) {
                    completions.add(d);
                    threads.add(Thread.currentThread());
                }
                done.complete(d);
            });
        }

        Done await() throws Exception {
            return done.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean isDone() {
            return done.isDone();
        }

        int completionCount() {
            synchronized (completions) {
                return completions.size();
            }
        }
    }

    record Done(TransferStatus status, int actual, byte[] bytes) {}

    final EmulatedUsbDevice device;

    TestHost(EmulatedUsbDevice device) {
        this.device = device;
    }

    byte[] in(int rt, int req, int value, int index, int length) throws UsbTransferException {
        return device.control(new SetupPacket(rt, req, value, index, length), null);
    }

    void out(int rt, int req, int value, int index, byte... data) throws UsbTransferException {
        device.control(new SetupPacket(rt, req, value, index, data.length), data);
    }

    byte[] descriptor(int type, int index, int lang, int length) throws UsbTransferException {
        return in(Ch9.RT_DEVICE_IN, Ch9.GET_DESCRIPTOR, type << 8 | index, lang, length);
    }

    /** What Linux's hub driver and usb_new_device do, in order; returns the whole configuration set. */
    byte[] enumerate(int address) throws UsbTransferException {
        byte[] first = descriptor(Ch9.DT_DEVICE, 0, 0, 64); // the first 8 bytes carry bMaxPacketSize0
        assertThat(first).hasSize(Ch9.DEVICE_LENGTH);
        out(Ch9.RT_DEVICE_OUT, Ch9.SET_ADDRESS, address, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.ADDRESS);
        byte[] dev = descriptor(Ch9.DT_DEVICE, 0, 0, Ch9.DEVICE_LENGTH);
        byte[] head = descriptor(Ch9.DT_CONFIGURATION, 0, 0, Ch9.CONFIGURATION_LENGTH);
        int total = le16(head, 2);
        byte[] config = descriptor(Ch9.DT_CONFIGURATION, 0, 0, total);
        assertThat(config).hasSize(total);
        byte[] langs = descriptor(Ch9.DT_STRING, 0, 0, 255);
        int lang = le16(langs, 2);
        for (int i : new int[] {dev[14], dev[15], dev[16]}) {
            if (i != 0) {
                descriptor(Ch9.DT_STRING, i, lang, 255);
            }
        }
        return config;
    }

    /** Enumerates and selects configuration 1. */
    void configure() throws UsbTransferException {
        enumerate(5);
        out(Ch9.RT_DEVICE_OUT, Ch9.SET_CONFIGURATION, 1, 0);
        assertThat(device.state()).isEqualTo(UsbDeviceState.CONFIGURED);
    }

    Urb submitIn(int endpoint, int length) throws UsbTransferException {
        Urb u = new Urb(endpoint, length, null);
        device.submit(u.transfer);
        return u;
    }

    Urb submitOut(int endpoint, byte[] data) throws UsbTransferException {
        Urb u = new Urb(endpoint, data.length, data.clone());
        device.submit(u.transfer);
        return u;
    }

    /** Reads bulk IN in transfers of {@code chunk} bytes until {@code n} bytes came. */
    byte[] readIn(int n, int chunk) throws Exception {
        byte[] got = new byte[0];
        while (got.length < n) {
            Done d = submitIn(CdcAcmDevice.BULK_IN, chunk).await();
            assertThat(d.status()).isEqualTo(TransferStatus.COMPLETED);
            byte[] more = Arrays.copyOf(got, got.length + d.actual());
            System.arraycopy(d.bytes(), 0, more, got.length, d.actual());
            got = more;
        }
        return got;
    }

    /** Bytes written as unsigned values. */
    static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            Thread.sleep(1);
        }
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
