package dev.jdm.hw.emu.usb;

import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.uart.SerialLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A CDC-ACM serial device with the IDs and descriptors of Linux's gadget serial in ACM mode
 * ({@code 0525:a4a7}), whose far side is a {@link SerialLine}: bulk OUT data goes to the line,
 * bytes from the line complete bulk IN transfers, and the line's connected state is reported as DCD
 * and DSR in SERIAL_STATE notifications on the interrupt endpoint. Data flows only while the device
 * is configured; DTR is not required. See docs/hw/usb.md.
 */
public final class CdcAcmDevice extends AbstractUsbDevice {
    public static final int VENDOR_ID = AcmDescriptors.VENDOR_ID;
    public static final int PRODUCT_ID = AcmDescriptors.PRODUCT_ID;
    /** Endpoint addresses: bulk IN, bulk OUT and the interrupt IN endpoint of SERIAL_STATE. */
    public static final int BULK_IN = AcmDescriptors.BULK_IN;
    public static final int BULK_OUT = AcmDescriptors.BULK_OUT;
    public static final int NOTIFY_IN = AcmDescriptors.NOTIFY_IN;
    /** The communications interface, to which the class requests go. */
    public static final int COMM_INTERFACE = AcmDescriptors.COMM_INTERFACE;

    private static final System.Logger LOG = System.getLogger(CdcAcmDevice.class.getName());
    private static final AtomicInteger NUMBER = new AtomicInteger();

    private final SerialLine line;
    private final AcmPipes pipes = new AcmPipes(); // guarded by lock
    private final ByteBuffer in = ByteBuffer.allocate(AcmPipes.RX_CAPACITY); // the worker's
    private LineCoding lineCoding = LineCoding.DEFAULT; // guarded by lock
    private int controlLineState; // guarded by lock
    private int serialState; // guarded by lock
    private long breaks; // guarded by lock
    private int lastBreakMillis; // guarded by lock
    private boolean lineUp; // guarded by lock
    private boolean carrier; // guarded by lock: the connected state last reported
    private int receiveRoom; // guarded by lock: what the worker may read from the line now (0: nothing)

    /** A high-speed device on {@code line}, with faults of its own. */
    public CdcAcmDevice(SerialLine line) {
        this(line, UsbSpeed.HIGH, new Faults());
    }

    /** A device on {@code line} at {@code speed} (FULL or HIGH); {@code faults} may be shared with the operator's switches. */
    public CdcAcmDevice(SerialLine line, UsbSpeed speed, Faults faults) {
        this(line, speed, faults, "jdm-acm" + NUMBER.get());
    }

    /** As above, with the serial number string the device reports. */
    public CdcAcmDevice(SerialLine line, UsbSpeed speed, Faults faults, String serialNumber) {
        super("usb-cdc-acm" + NUMBER.getAndIncrement(), checkSpeed(speed), faults,
                AcmDescriptors.of("jdm", "Gadget Serial v2.4", Objects.requireNonNull(serialNumber, "serialNumber")));
        this.line = Objects.requireNonNull(line, "line");
    }

    /** The line coding the host last set, or {@link LineCoding#DEFAULT}. */
    public LineCoding lineCoding() {
        synchronized (lock) {
            return lineCoding;
        }
    }

    /** The last SET_CONTROL_LINE_STATE: {@link Cdc#CONTROL_DTR} and {@link Cdc#CONTROL_RTS}. */
    public int controlLineState() {
        synchronized (lock) {
            return controlLineState;
        }
    }

    /** The UART state bitmap the device reports: {@link Cdc#STATE_DCD} and {@link Cdc#STATE_DSR} while the line is connected. */
    public int serialState() {
        synchronized (lock) {
            return serialState;
        }
    }

    /** SEND_BREAK requests received since the last reset. */
    public long breaks() {
        synchronized (lock) {
            return breaks;
        }
    }

    /** The duration of the last SEND_BREAK, in ms (0xffff: until the next one). */
    public int lastBreakMillis() {
        synchronized (lock) {
            return lastBreakMillis;
        }
    }

    // ---- the function, with lock held ----

    @Override
    byte[] functionRequest(SetupPacket s, byte[] out) throws UsbStall {
        if (s.type() != SetupPacket.Type.CLASS || s.recipient() != SetupPacket.Recipient.INTERFACE) {
            throw new UsbStall(s, "the device has no vendor requests, and its class requests go to an interface");
        }
        if (s.wIndex() != COMM_INTERFACE) {
            throw new UsbStall(s, "ACM requests go to the communications interface " + COMM_INTERFACE + ", not " + s.wIndex());
        }
        int rt = s.bmRequestType();
        switch (s.bRequest()) {
            case Cdc.SET_LINE_CODING -> {
                need(s, rt == Cdc.RT_CLASS_INTERFACE_OUT && s.wValue() == 0 && s.wLength() == LineCoding.LENGTH, "SET_LINE_CODING is 0x21 with wValue 0 and 7 bytes");
                try {
                    lineCoding = LineCoding.parse(out);
                } catch (IllegalArgumentException e) {
                    throw new UsbStall(s, e.getMessage());
                }
                return new byte[0];
            }
            case Cdc.GET_LINE_CODING -> {
                need(s, rt == Cdc.RT_CLASS_INTERFACE_IN && s.wValue() == 0, "GET_LINE_CODING is 0xa1 with wValue 0");
                return lineCoding.bytes();
            }
            case Cdc.SET_CONTROL_LINE_STATE -> {
                need(s, rt == Cdc.RT_CLASS_INTERFACE_OUT && s.wLength() == 0 && (s.wValue() & ~3) == 0,
                        "SET_CONTROL_LINE_STATE is 0x21 with DTR (bit 0) and RTS (bit 1) in wValue and no data");
                controlLineState = s.wValue();
                return new byte[0];
            }
            case Cdc.SEND_BREAK -> {
                need(s, rt == Cdc.RT_CLASS_INTERFACE_OUT && s.wLength() == 0, "SEND_BREAK is 0x21 with the duration in wValue and no data");
                breaks++;
                lastBreakMillis = s.wValue(); // a SerialLine cannot carry a break; it is only counted
                return new byte[0];
            }
            default -> throw new UsbStall(s, String.format("class request 0x%02x is not supported (SET/GET_LINE_CODING, SET_CONTROL_LINE_STATE and SEND_BREAK are)", s.bRequest()));
        }
    }

    @Override
    void functionReset() {
        lineCoding = LineCoding.DEFAULT;
        controlLineState = 0;
        serialState = 0;
        breaks = 0;
        lastBreakMillis = 0;
        lineUp = true;
        carrier = false;
        receiveRoom = 0;
        pipes.clear();
    }

    @Override
    void functionConfigured(boolean configured) {
        pipes.clear();
        carrier = false;
        serialState = 0;
        receiveRoom = configured ? pipes.rxRoom() : 0;
        // a peer already there is found by the worker's first look, and reported then
    }

    @Override
    long service(long now) {
        boolean c = lineUp && line.connected();
        if (c != carrier) {
            carrier = c;
            serialState = c ? serialState | Cdc.STATE_DCD | Cdc.STATE_DSR : serialState & ~(Cdc.STATE_DCD | Cdc.STATE_DSR);
            for (int n = faults().interruptsFor(); n > 0; n--) { // 0: a lost notification, 2: a spurious repeat
                pipes.notify(serialState);
            }
        }
        long due = dueNanos();
        pipes.serviceNotify(book, due);
        long next = Long.MAX_VALUE;
        if (!faults().stuckBusy()) { // stuck: the bulk pipes NAK everything
            pipes.serviceOut(book, due);
            next = pipes.serviceIn(book, now, due);
        }
        receiveRoom = lineUp ? pipes.rxRoom() : 0;
        return next;
    }

    // ---- the worker, no lock held ----

    @Override
    void flush() {
        byte[] out;
        int n;
        synchronized (lock) {
            n = pipes.takeOutbox();
            out = pipes.outbox();
            if (n == 0) {
                return;
            }
            if (!lineUp) {
                return; // as a UART whose cable was pulled: sent into nothing
            }
        }
        try {
            line.send(out, 0, n); // the outbox is the worker's own, so it is not touched meanwhile
        } catch (IOException | RuntimeException e) {
            lineFailed(e);
        }
    }

    @Override
    void idle(long nanos) {
        int room;
        synchronized (lock) {
            room = receiveRoom;
        }
        if (room == 0) {
            LockSupport.parkNanos(nanos); // unconfigured, or the buffer is full: the line waits
            return;
        }
        in.clear().limit(room);
        try {
            if (line.receive(in, nanos) > 0) {
                in.flip();
                synchronized (lock) {
                    if (receiveRoom > 0) { // still configured
                        pipes.received(in, System.nanoTime());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            lineFailed(e);
        }
    }

    @Override
    void wakeFunction() {
        line.wakeup();
    }

    private void lineFailed(Exception e) {
        LOG.log(System.Logger.Level.WARNING, this + ": serial line failed, nothing is attached from now on: " + e, e);
        synchronized (lock) {
            lineUp = false; // the carrier drops, and is reported
            receiveRoom = 0;
        }
    }

    private static void need(SetupPacket s, boolean ok, String what) throws UsbStall {
        if (!ok) {
            throw new UsbStall(s, what);
        }
    }

    private static UsbSpeed checkSpeed(UsbSpeed speed) {
        if (Objects.requireNonNull(speed, "speed") == UsbSpeed.LOW) {
            throw new IllegalArgumentException("a CDC-ACM device needs bulk endpoints, which low speed does not have (USB 2.0 §5.8); use FULL or HIGH");
        }
        return speed;
    }
}
