package dev.jdm.hw.emu.usb;

/**
 * The numbers of the CDC 1.2 specification and its PSTN 1.2 subclass that an ACM device and its
 * host driver share.
 */
public final class Cdc {
    /** Communications interface (and device) class, CDC 1.2 Table 2 and 3. */
    public static final int CLASS_COMM = 0x02;
    /** Data interface class, CDC 1.2 Table 6. */
    public static final int CLASS_DATA = 0x0a;
    /** Abstract Control Model, CDC 1.2 Table 4. */
    public static final int SUBCLASS_ACM = 0x02;
    /** AT commands (ITU-T V.250), CDC 1.2 Table 5. */
    public static final int PROTOCOL_AT_V25TER = 0x01;

    /** Functional descriptor types and subtypes, CDC 1.2 Table 12 and 13. */
    public static final int CS_INTERFACE = 0x24;
    public static final int SUBTYPE_HEADER = 0x00;
    public static final int SUBTYPE_CALL_MANAGEMENT = 0x01;
    public static final int SUBTYPE_ACM = 0x02;
    public static final int SUBTYPE_UNION = 0x06;

    /** ACM functional descriptor bmCapabilities, PSTN 1.2 Table 4. */
    public static final int ACM_CAP_COMM_FEATURE = 0x01;
    public static final int ACM_CAP_LINE = 0x02;
    public static final int ACM_CAP_SEND_BREAK = 0x04;
    public static final int ACM_CAP_NETWORK_CONNECTION = 0x08;

    /** bmRequestType of class requests to an interface (CDC 1.2 §6.2). */
    public static final int RT_CLASS_INTERFACE_OUT = 0x21;
    public static final int RT_CLASS_INTERFACE_IN = 0xa1;

    /** Class requests, PSTN 1.2 Table 13. */
    public static final int SEND_ENCAPSULATED_COMMAND = 0x00;
    public static final int GET_ENCAPSULATED_RESPONSE = 0x01;
    public static final int SET_LINE_CODING = 0x20;
    public static final int GET_LINE_CODING = 0x21;
    public static final int SET_CONTROL_LINE_STATE = 0x22;
    public static final int SEND_BREAK = 0x23;

    /** SET_CONTROL_LINE_STATE wValue, PSTN 1.2 Table 18. */
    public static final int CONTROL_DTR = 0x01;
    public static final int CONTROL_RTS = 0x02;

    /** The SERIAL_STATE notification, PSTN 1.2 §6.5.4: an 8-byte header and a 2-byte UART state. */
    public static final int NOTIFY_SERIAL_STATE = 0x20;
    public static final int SERIAL_STATE_LENGTH = 10;

    /** The UART state bitmap, PSTN 1.2 Table 31. */
    public static final int STATE_DCD = 0x01; // bRxCarrier
    public static final int STATE_DSR = 0x02; // bTxCarrier
    public static final int STATE_BREAK = 0x04;
    public static final int STATE_RING = 0x08;
    public static final int STATE_FRAMING = 0x10;
    public static final int STATE_PARITY = 0x20;
    public static final int STATE_OVERRUN = 0x40;

    private Cdc() {}
}
