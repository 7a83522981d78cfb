package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Uart16550LoopbackTest {
    private final QueueLine line = new QueueLine(false);
    private final Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, new Faults());
    private final Uart u = new Uart(device);

    @Test
    void shouldLoopTheTransmitterIntoRbrWithoutFifos() {
        u.setUp8n1(1);
        u.out(MCR, MCR_LOOP);
        u.out(THR, 'A');
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_THRE | LSR_TEMT);
        assertThat(u.in(RBR)).isEqualTo('A');
        assertThat(u.in(LSR) & LSR_DR).isZero();

        u.out(THR, 'B');
        u.out(THR, 'C'); // RBR unread: the 16450-mode overrun overwrites it
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_THRE | LSR_TEMT); // OE is cleared by the read
        assertThat(u.in(RBR)).isEqualTo('C');
    }

    @Test
    void shouldLoopSixteenBytesThroughTheFifos() {
        u.setUp8n1(1);
        u.out(FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
        u.out(MCR, MCR_LOOP);
        for (int i = 0; i < FIFO_DEPTH; i++) {
            u.out(THR, 0x30 + i);
        }
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_THRE | LSR_TEMT);
        for (int i = 0; i < FIFO_DEPTH; i++) {
            assertThat(u.in(RBR)).isEqualTo(0x30 + i);
        }
        assertThat(u.in(LSR) & LSR_DR).isZero();
    }

    @Test
    void shouldSendNothingToTheLineWhileLoopedBack() throws InterruptedException {
        device.plug(new RecordingBoard());
        try {
            u.setUp8n1(1);
            u.out(MCR, MCR_LOOP);
            u.send("looped".getBytes());
            u.out(MCR, 0);
            u.send("Z".getBytes());
            assertThat(line.awaitSent(1, 5_000)).containsExactly('Z');
            assertThat(u.in(RBR)).isEqualTo('d');
        } finally {
            device.unplug();
        }
    }

    @Test
    void shouldCutCharactersToTheWordLength() {
        u.out(MCR, MCR_LOOP);
        u.out(THR, 0xff); // LCR is 0 after reset: 5-bit characters
        assertThat(u.in(RBR)).isEqualTo(0x1f);
        u.out(LCR, 0x02);
        u.out(THR, 0xff);
        assertThat(u.in(RBR)).isEqualTo(0x7f);
    }

    @Test
    void shouldRouteModemOutputsToModemInputsWithDeltas() {
        u.out(MCR, MCR_LOOP);
        assertThat(u.in(MSR)).isZero();
        u.out(MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
        assertThat(u.in(MSR)).isEqualTo(MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD | MSR_DCTS | MSR_DDSR | MSR_DDCD);
        assertThat(u.in(MSR)).isEqualTo(MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD); // deltas cleared by the read
        u.out(MCR, MCR_LOOP | MCR_DTR);
        assertThat(u.in(MSR)).isEqualTo(MSR_DSR | MSR_DCTS | MSR_TERI | MSR_DDCD); // RI fell: trailing edge
        u.out(MCR, MCR_LOOP | MCR_DTR | MCR_OUT1);
        assertThat(u.in(MSR)).isEqualTo(MSR_DSR | MSR_RI); // RI rose: no TERI
    }

    @Test
    void shouldDelayLoopedCharactersByTheirTimeWhenPaced() {
        Uart paced = new Uart(new Uart16550Device(new QueueLine(false), Uart16550Device.Pacing.BAUD_RATE, new Faults()));
        paced.setUp8n1(0x900); // 50 baud: 200 ms a character
        paced.out(MCR, MCR_LOOP);
        long t0 = System.nanoTime();
        paced.out(THR, 'p');
        assertThat(paced.in(LSR) & (LSR_DR | LSR_TEMT)).isZero();
        Uart.await(() -> (paced.in(LSR) & LSR_DR) != 0, Duration.ofSeconds(5));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(characterNanos(0x900));
        assertThat(paced.in(RBR)).isEqualTo('p');
    }
}
