package dev.jdm.hw.emu.uart;

/**
 * The PC16550D register map: offsets in the UART's 8-port window and the bits of each register, as
 * the National Semiconductor data sheet names them. Drivers and tests use these names instead of
 * numbers.
 */
public final class Uart16550Registers {
    /** Offsets. DLAB is LCR bit 7: it turns offsets 0 and 1 into the divisor latch. */
    public static final int RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

    /** IER: received data available (and character timeout), THR empty, receiver line status, modem status. */
    public static final int IER_ERBFI = 0x01, IER_ETBEI = 0x02, IER_ELSI = 0x04, IER_EDSSI = 0x08;
    static final int IER_MASK = 0x0f;

    /** IIR: bit 0 clear while an interrupt is pending; bits 1–3 name the highest-priority source. */
    public static final int IIR_NO_INTERRUPT = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_CTI = 0x0c, IIR_THRE = 0x02, IIR_MSR = 0x00;
    /** IIR bits 6–7: set while the FIFOs are enabled (FCR bit 0). */
    public static final int IIR_FIFOS_ENABLED = 0xc0;

    /** FCR: enable the FIFOs, clear the receive FIFO, clear the transmit FIFO, DMA mode; bits 6–7 the RX trigger. */
    public static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04, FCR_DMA_MODE = 0x08;
    public static final int FCR_TRIGGER_1 = 0x00, FCR_TRIGGER_4 = 0x40, FCR_TRIGGER_8 = 0x80, FCR_TRIGGER_14 = 0xc0;

    /** LCR: bits 0–1 word length (5 + n bits), stop bits, parity enable, even parity, stick parity, set break, DLAB. */
    public static final int LCR_WORD_LENGTH = 0x03, LCR_8N1 = 0x03, LCR_STOP = 0x04, LCR_PARITY = 0x08, LCR_EVEN = 0x10, LCR_STICK = 0x20, LCR_BREAK = 0x40, LCR_DLAB = 0x80;

    /** MCR: DTR, RTS, OUT1, OUT2 (gates the interrupt line on a PC), loopback. Bits 5–7 are always 0. */
    public static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int MCR_MASK = 0x1f;

    /** LSR: data ready, overrun, parity, framing, break, THR empty, transmitter empty, error in RX FIFO. */
    public static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_RX_FIFO_ERROR = 0x80;
    /** The LSR bits that raise a receiver line status interrupt. */
    static final int LSR_LINE_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

    /** MSR: the delta bits 0–3 (cleared by reading MSR) and the modem inputs 4–7. */
    public static final int MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08, MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    static final int MSR_DELTAS = 0x0f;

    /** The reference clock over 16: 1.8432 MHz / 16 = 115200 baud at divisor 1. */
    public static final int BASE_BAUD = 115_200;
    /** Bits per character for pacing and the character timeout: start, 8 data, stop. */
    public static final int BITS_PER_CHARACTER = 10;
    /** Depth of each FIFO. */
    public static final int FIFO_DEPTH = 16;

    private Uart16550Registers() {}

    /** One character time at {@code divisor} (0 means 65536, as the 16-bit latch counts), in nanoseconds. */
    public static long characterNanos(int divisor) {
        long d = divisor == 0 ? 65_536 : divisor;
        return d * BITS_PER_CHARACTER * 1_000_000_000L / BASE_BAUD;
    }

    /** The receive FIFO trigger level FCR bits 6–7 select: 1, 4, 8 or 14 bytes. */
    public static int triggerLevel(int fcr) {
        return switch (fcr & 0xc0) {
            case FCR_TRIGGER_1 -> 1;
            case FCR_TRIGGER_4 -> 4;
            case FCR_TRIGGER_8 -> 8;
            default -> 14;
        };
    }
}
