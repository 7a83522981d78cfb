package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Uart16550FaultsTest {
    private final Faults faults = new Faults();
    private final QueueLine line = new QueueLine(false);
    private final Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, faults);
    private final Uart u = new Uart(device);
    private final RecordingBoard board = new RecordingBoard();

    @AfterEach
    void unplug() {
        device.unplug();
    }

    @Test
    void shouldGiveEveryNthReceivedByteAFramingError() {
        faults.errorEvery(3);
        u.setUp8n1(0);
        u.out(FCR, FCR_ENABLE | FCR_TRIGGER_14);
        u.out(MCR, MCR_LOOP);
        u.out(IER, IER_ELSI);
        for (int i = 1; i <= 6; i++) {
            u.out(THR, i); // bytes 3 and 6 arrive with a framing error
        }
        int ok = LSR_DR | LSR_THRE | LSR_TEMT;
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT); // FE shows once byte 3 is on top
        assertThat(u.in(LSR)).isEqualTo(ok | LSR_RX_FIFO_ERROR);
        assertThat(u.in(RBR)).isEqualTo(1);
        assertThat(u.in(RBR)).isEqualTo(2);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_RLS);
        assertThat(u.in(LSR)).isEqualTo(ok | LSR_FE | LSR_RX_FIFO_ERROR);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
        assertThat(u.in(RBR)).isEqualTo(3); // the byte itself still arrives
        assertThat(u.in(RBR)).isEqualTo(4);
        assertThat(u.in(RBR)).isEqualTo(5);
        assertThat(u.in(LSR)).isEqualTo(ok | LSR_FE | LSR_RX_FIFO_ERROR);
        assertThat(u.in(RBR)).isEqualTo(6);
        assertThat(u.in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT | LSR_RX_FIFO_ERROR); // cleared by this read: no errors left
        assertThat(u.in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT);
    }

    @Test
    void shouldDelayEachTransmittedCharacter() {
        faults.delayMicros(300_000);
        u.setUp8n1(1);
        long t0 = System.nanoTime();
        u.out(THR, 'd');
        assertThat(u.in(LSR) & LSR_TEMT).isZero();
        Uart.await(() -> (u.in(LSR) & LSR_TEMT) != 0, Duration.ofSeconds(5));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L);
    }

    @Test
    void shouldLoseEveryNthInterruptEdge() {
        faults.dropInterruptEvery(2);
        device.plug(board);
        u.out(MCR, MCR_OUT2);
        for (int i = 0; i < 4; i++) {
            u.out(IER, IER_ETBEI); // THR empty: a THRE interrupt each time
            u.out(IER, 0);
        }
        assertThat(board.calls()).containsExactly(true, false, true, false); // the 2nd and 4th are lost
    }

    @Test
    void shouldLeaveALostInterruptUnheardWhileItsCauseStays() {
        faults.dropInterruptEvery(1);
        device.plug(board);
        u.out(MCR, MCR_OUT2);
        u.out(IER, IER_ETBEI);
        assertThat(u.in(IIR)).isEqualTo(IIR_THRE); // pending in the chip
        assertThat(board.calls()).isEmpty();
    }

    @Test
    void shouldAddASpuriousInterruptAfterEveryNth() {
        faults.spuriousInterruptEvery(2);
        device.plug(board);
        u.out(MCR, MCR_OUT2);
        for (int i = 0; i < 2; i++) {
            u.out(IER, IER_ETBEI);
            assertThat(u.in(IIR)).isEqualTo(IIR_THRE);
            u.out(IER, 0);
        }
        // the second interrupt is followed by a pulse with nothing behind it
        assertThat(board.calls()).containsExactly(true, false, true, false, true, false);
        assertThat(u.in(IIR)).isEqualTo(IIR_NO_INTERRUPT);
    }

    @Test
    void shouldLookStuckWhileStuckBusy() throws InterruptedException {
        device.plug(board);
        u.setUp8n1(1);
        u.out(MCR, MCR_OUT2);
        faults.stuckBusy(true);
        assertThat(u.in(LSR) & (LSR_THRE | LSR_TEMT)).isZero();
        u.out(THR, 's');
        u.out(IER, IER_ETBEI);
        assertThat(u.in(IIR)).isEqualTo(IIR_NO_INTERRUPT);
        assertThat(line.awaitSent(1, 200)).isEmpty();
        assertThat(board.calls()).isEmpty();

        faults.stuckBusy(false);
        assertThat(u.in(LSR) & (LSR_THRE | LSR_TEMT)).isEqualTo(LSR_THRE | LSR_TEMT);
        assertThat(line.awaitSent(1, 5_000)).containsExactly('s');
        assertThat(board.level()).isTrue(); // THRE rose when the transmitter came unstuck
    }
}
