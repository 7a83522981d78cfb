package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Uart16550InterruptTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int STATUS_INTERRUPT = 0x08;

    private final QueueLine line = new QueueLine(false);
    private final Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.NONE, new Faults());
    private final Uart u = new Uart(device);
    private final RecordingBoard board = new RecordingBoard();

    @AfterEach
    void unplug() {
        device.unplug();
    }

    @ParameterizedTest(name = "trigger {1}")
    @CsvSource({"0x00, 1", "0x40, 4", "0x80, 8", "0xc0, 14"})
    void shouldSignalReceivedDataAtTheFifoTriggerLevel(int fcrTrigger, int level) {
        u.setUp8n1(0); // 0.57 baud: no character timeout during the test
        u.out(FCR, FCR_ENABLE | fcrTrigger);
        u.out(IER, IER_ERBFI);
        u.out(MCR, MCR_LOOP);
        for (int i = 1; i < level; i++) {
            u.out(THR, i);
        }
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
        u.out(THR, level);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_RDA);
        assertThat(u.in(RBR)).isEqualTo(1); // below the trigger again
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
    }

    @Test
    void shouldReportSourcesInTheDataSheetsPriorityOrder() {
        u.setUp8n1(0);
        u.out(FCR, FCR_ENABLE | FCR_TRIGGER_14);
        u.out(MCR, MCR_LOOP | MCR_DTR); // DSR rises: DDSR
        u.out(IER, IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI); // THR is empty: THRE at once
        for (int i = 0; i <= FIFO_DEPTH; i++) {
            u.out(THR, i); // the 17th overruns the receive FIFO
        }
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_RLS);
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_RDA);
        for (int i = 0; i < 3; i++) {
            assertThat(u.in(RBR)).isEqualTo(i);
        }
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_THRE); // 13 left: under the trigger
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_MSR); // reading IIR cleared THRE
        assertThat(u.in(MSR)).isEqualTo(MSR_DSR | MSR_DDSR);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
    }

    @Test
    void shouldPutTheCharacterTimeoutBetweenReceivedDataAndThre() throws InterruptedException {
        u.setUp8n1(1); // 4 characters are 347 us
        u.out(FCR, FCR_ENABLE | FCR_TRIGGER_4);
        u.out(MCR, MCR_LOOP);
        u.out(THR, 'x');
        u.out(IER, IER_ERBFI | IER_ETBEI);
        Thread.sleep(20); // not polling IIR meanwhile: a read that reports THRE clears it
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_CTI);
        assertThat(u.in(RBR)).isEqualTo('x');
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_THRE);
    }

    @Test
    void shouldClearThreByReadingIirOrWritingThr() throws InterruptedException {
        Uart16550Device paced = new Uart16550Device(line, Uart16550Device.Pacing.BAUD_RATE, new Faults());
        Uart p = new Uart(paced);
        paced.plug(board);
        try {
            p.setUp8n1(0x900); // 50 baud: 200 ms a character
            p.out(MCR, MCR_OUT2);
            p.out(IER, IER_ETBEI);
            assertThat(board.level()).isTrue();
            assertThat(p.in(IIR)).isEqualTo(IIR_THRE);
            assertThat(board.level()).isFalse();
            assertThat(p.in(IIR)).isEqualTo(IIR_NO_INTERRUPT);

            p.out(IER, 0);
            p.out(IER, IER_ETBEI); // enabling it again with THR empty raises it again
            assertThat(board.level()).isTrue();
            p.out(SCR, 0);
            assertThat(board.level()).isTrue(); // only IIR or THR clear it
            p.out(THR, 'a'); // straight into the shift register: THR is empty again
            assertThat(board.level()).isTrue();
            p.out(THR, 'b'); // THR full: THRE is gone
            assertThat(board.level()).isFalse();
            assertThat(board.awaitLevel(true, WAIT)).isTrue(); // 'a' is out, 'b' moved on: THR empty
            assertThat(board.calls()).containsExactly(true, false, true, false, true);
            assertThat(line.awaitSent(1, 5_000)).startsWith('a');
        } finally {
            paced.unplug();
        }
    }

    @Test
    void shouldRaiseTheTimeoutInterruptAfterFourQuietCharacterTimes() throws InterruptedException {
        device.plug(board);
        u.setUp8n1(0x800); // 56.25 baud: 178 ms a character
        u.out(FCR, FCR_ENABLE | FCR_TRIGGER_4);
        u.out(IER, IER_ERBFI);
        u.out(MCR, MCR_OUT2);
        line.feed((byte) 'q');
        Uart.await(() -> (u.in(LSR) & LSR_DR) != 0, WAIT);
        long seen = System.nanoTime();
        assertThat(board.level()).isFalse(); // one byte, trigger 4
        assertThat(board.awaitLevel(true, WAIT)).isTrue();
        assertThat(System.nanoTime() - seen).isGreaterThan(3 * characterNanos(0x800));
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_CTI);
        assertThat(u.in(RBR)).isEqualTo('q');
        assertThat(board.level()).isFalse();
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
    }

    @Test
    void shouldRaiseReceivedDataFromTheLineOnIntx() throws InterruptedException {
        device.plug(board);
        u.setUp8n1(1);
        u.out(IER, IER_ERBFI);
        u.out(MCR, MCR_OUT2);
        line.feed((byte) 'r');
        assertThat(board.awaitLevel(true, WAIT)).isTrue();
        assertThat(u.in(IIR)).isEqualTo(IIR_RDA);
        assertThat(u.in(RBR)).isEqualTo('r');
        assertThat(board.level()).isFalse();
    }

    @Test
    void shouldGateIntxWithOut2AndTheCommandRegister() {
        device.plug(board);
        u.out(IER, IER_ETBEI); // THR is empty: the chip's INTR is up (reading IIR here would clear it)
        assertThat(board.level()).isFalse(); // but OUT2 is low
        assertThat(device.configRead(PciConfigSpace.STATUS, 2) & STATUS_INTERRUPT).isZero();

        u.out(MCR, MCR_OUT2);
        assertThat(board.level()).isTrue();
        assertThat(device.configRead(PciConfigSpace.STATUS, 2) & STATUS_INTERRUPT).isEqualTo(STATUS_INTERRUPT);

        device.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_IO | PciConfigSpace.COMMAND_INTX_DISABLE);
        assertThat(board.level()).isFalse();
        assertThat(device.configRead(PciConfigSpace.STATUS, 2) & STATUS_INTERRUPT).isEqualTo(STATUS_INTERRUPT); // still pending

        device.configWrite(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_IO);
        assertThat(board.level()).isTrue();
        u.out(MCR, MCR_OUT2 | MCR_LOOP); // loopback forces OUT2 inactive
        assertThat(board.level()).isFalse();
        u.out(MCR, MCR_OUT2);
        assertThat(board.level()).isTrue();
        u.in(IIR);
        assertThat(board.level()).isFalse();
        assertThat(device.configRead(PciConfigSpace.STATUS, 2) & STATUS_INTERRUPT).isZero();
    }

    @Test
    void shouldDropTheByteAndSetOverrunWhenTheFifoIsFull() {
        device.plug(board);
        u.setUp8n1(0);
        u.out(FCR, FCR_ENABLE | FCR_TRIGGER_14);
        u.out(IER, IER_ELSI);
        byte[] burst = new byte[20];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = (byte) ('a' + i);
        }
        line.feed(burst);
        Uart.await(() -> u.in(IIR) == (IIR_FIFOS_ENABLED | IIR_RLS), WAIT);
        assertThat(u.in(LSR)).isEqualTo(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
        for (int i = 0; i < FIFO_DEPTH; i++) {
            assertThat(u.in(RBR)).isEqualTo('a' + i);
        }
        assertThat(u.in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT); // bytes 17 to 20 are gone
    }

    @Test
    void shouldClearTheFifosFromFcr() {
        u.setUp8n1(0);
        u.out(FCR, FCR_ENABLE);
        u.out(MCR, MCR_LOOP);
        u.out(THR, 1);
        u.out(THR, 2);
        u.out(FCR, FCR_ENABLE | FCR_CLEAR_RX);
        assertThat(u.in(LSR) & LSR_DR).isZero();
        u.out(THR, 3);
        u.out(FCR, 0); // turning the FIFOs off empties them too
        assertThat(u.in(LSR) & LSR_DR).isZero();
    }
}
