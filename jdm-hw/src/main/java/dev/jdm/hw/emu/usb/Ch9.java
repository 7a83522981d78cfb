package dev.jdm.hw.emu.usb;

/**
 * The numbers of USB 2.0 chapter 9 that a host and a device share: standard request codes
 * (Table 9-4), descriptor types (Table 9-5), feature selectors (Table 9-6), descriptor lengths and
 * the bits of the fields they hold.
 */
public final class Ch9 {
    // bmRequestType values of the standard requests (Table 9-3)
    public static final int RT_DEVICE_IN = 0x80;
    public static final int RT_INTERFACE_IN = 0x81;
    public static final int RT_ENDPOINT_IN = 0x82;
    public static final int RT_DEVICE_OUT = 0x00;
    public static final int RT_INTERFACE_OUT = 0x01;
    public static final int RT_ENDPOINT_OUT = 0x02;

    // bRequest (Table 9-4)
    public static final int GET_STATUS = 0;
    public static final int CLEAR_FEATURE = 1;
    public static final int SET_FEATURE = 3;
    public static final int SET_ADDRESS = 5;
    public static final int GET_DESCRIPTOR = 6;
    public static final int SET_DESCRIPTOR = 7;
    public static final int GET_CONFIGURATION = 8;
    public static final int SET_CONFIGURATION = 9;
    public static final int GET_INTERFACE = 10;
    public static final int SET_INTERFACE = 11;
    public static final int SYNCH_FRAME = 12;

    // descriptor types (Table 9-5)
    public static final int DT_DEVICE = 1;
    public static final int DT_CONFIGURATION = 2;
    public static final int DT_STRING = 3;
    public static final int DT_INTERFACE = 4;
    public static final int DT_ENDPOINT = 5;
    public static final int DT_DEVICE_QUALIFIER = 6;
    public static final int DT_OTHER_SPEED_CONFIGURATION = 7;

    // descriptor lengths (§9.6)
    public static final int DEVICE_LENGTH = 18;
    public static final int CONFIGURATION_LENGTH = 9;
    public static final int INTERFACE_LENGTH = 9;
    public static final int ENDPOINT_LENGTH = 7;
    public static final int DEVICE_QUALIFIER_LENGTH = 10;

    // feature selectors (Table 9-6)
    public static final int ENDPOINT_HALT = 0;
    public static final int DEVICE_REMOTE_WAKEUP = 1;
    public static final int TEST_MODE = 2;

    /** GET_STATUS(device) bit 0; GET_STATUS(endpoint) uses bit 0 for halt. */
    public static final int STATUS_SELF_POWERED = 1;
    public static final int STATUS_HALT = 1;

    /** bmAttributes of a configuration: bit 7 is reserved and set, bit 6 self-powered, bit 5 remote wakeup. */
    public static final int CONFIG_ATT_ONE = 0x80;
    public static final int CONFIG_ATT_SELF_POWERED = 0x40;

    /** bEndpointAddress bit 7; bits 3..0 are the endpoint number. */
    public static final int ENDPOINT_DIR_IN = 0x80;

    /** bmAttributes bits 1..0 of an endpoint. */
    public static final int XFER_CONTROL = 0;
    public static final int XFER_ISOCHRONOUS = 1;
    public static final int XFER_BULK = 2;
    public static final int XFER_INTERRUPT = 3;

    /** The language of every string this package's devices have: English (United States). */
    public static final int LANG_EN_US = 0x0409;

    private Ch9() {}
}
