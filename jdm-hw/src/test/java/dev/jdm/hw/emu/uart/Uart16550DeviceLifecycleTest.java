package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.hw.emu.Faults;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Uart16550DeviceLifecycleTest {
    private final QueueLine line = new QueueLine(true);
    private final Uart16550Device device = new Uart16550Device(line, Uart16550Device.Pacing.BAUD_RATE, new Faults());
    private final Uart u = new Uart(device);
    private final RecordingBoard board = new RecordingBoard();

    @Test
    void shouldStopAndJoinTheWorkerOnUnplugAndLeaveTheLineOpen() throws InterruptedException {
        device.plug(board);
        Thread worker = device.workerThread();
        assertThat(worker.isAlive()).isTrue();
        Uart.await(() -> (u.in(MSR) & MSR_DCD) != 0, Duration.ofSeconds(5));

        device.unplug();
        assertThat(worker.isAlive()).isFalse();
        assertThat(device.workerThread()).isNull();
        assertThat(line.isClosed()).isFalse();
        device.unplug(); // a second unplug has nothing to do

        board.forget();
        u.out(MCR, MCR_OUT2);
        u.out(IER, IER_ETBEI);
        assertThat(board.calls()).isEmpty(); // nothing reaches the board once unplugged
    }

    @Test
    void shouldJoinTheWorkerEvenIfTheCallerIsInterrupted() {
        device.plug(board);
        Thread worker = device.workerThread();
        Thread.currentThread().interrupt();
        device.unplug();
        assertThat(Thread.interrupted()).isTrue(); // kept for the caller
        assertThat(worker.isAlive()).isFalse();
    }

    @Test
    void shouldPlugAgainAfterUnplugAndRefuseADoublePlug() throws InterruptedException {
        device.plug(board);
        assertThatThrownBy(() -> device.plug(new RecordingBoard())).isInstanceOf(IllegalStateException.class).hasMessageContaining("unplug");
        device.unplug();

        device.plug(board);
        try {
            u.setUp8n1(1);
            u.out(MCR, MCR_OUT2);
            u.out(IER, IER_ERBFI);
            line.feed((byte) 'k');
            assertThat(board.awaitLevel(true, Duration.ofSeconds(5))).isTrue();
            assertThat(u.in(RBR)).isEqualTo('k');
        } finally {
            device.unplug();
        }
    }

    @Test
    void shouldPaceTransmissionByTheBaudRate() throws InterruptedException {
        device.plug(board);
        try {
            u.setUp8n1(0x60); // 1200 baud: 8.3 ms a character
            u.out(FCR, FCR_ENABLE);
            long t0 = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                u.out(THR, 'A' + i);
            }
            assertThat(line.awaitSent(12, 5_000)).hasSize(12).startsWith('A').endsWith('L');
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(11 * characterNanos(0x60));
            Uart.await(() -> (u.in(LSR) & LSR_TEMT) != 0, Duration.ofSeconds(1));
        } finally {
            device.unplug();
        }
    }

    @Test
    void shouldGoOnWithNothingAttachedWhenTheLineFails() throws InterruptedException {
        device.plug(board);
        try {
            line.close(); // receive now throws
            u.setUp8n1(1);
            u.out(MCR, MCR_OUT2);
            u.out(IER, IER_ETBEI | IER_EDSSI);
            Uart.await(() -> (u.in(MSR) & MSR_DCD) == 0, Duration.ofSeconds(5)); // the carrier is gone
            u.send("x".getBytes());
            Uart.await(() -> (u.in(LSR) & LSR_TEMT) != 0, Duration.ofSeconds(5));
        } finally {
            device.unplug();
        }
    }
}
