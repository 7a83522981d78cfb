package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The chip on a clock the test turns: pacing and the character timeout to the nanosecond. */
class Uart16550TimingTest {
    private long now = 1_000_000_000L;
    private final Faults faults = new Faults();
    private final Uart16550 paced = new Uart16550(faults, true, () -> now);

    private void setUp(Uart16550 chip, int divisor) {
        chip.write(LCR, LCR_DLAB | LCR_8N1);
        chip.write(DLL, divisor & 0xff);
        chip.write(DLM, divisor >>> 8);
        chip.write(LCR, LCR_8N1);
    }

    @Test
    void shouldSendBackToBackCharactersOneCharacterTimeApart() {
        setUp(paced, 12); // 9600 baud
        paced.write(FCR, FCR_ENABLE);
        for (int i = 0; i < 3; i++) {
            paced.write(THR, 'a' + i);
        }
        long c = characterNanos(12);
        assertThat(paced.deadline()).isEqualTo(now + c);
        byte[] out = new byte[8];
        now += 2 * c - 1;
        paced.advance();
        assertThat(paced.drainOutput(out)).isEqualTo(1);
        assertThat(paced.read(LSR) & (LSR_THRE | LSR_TEMT)).isZero(); // the second is shifting, the third waits
        now += 1;
        paced.advance();
        assertThat(paced.drainOutput(out)).isEqualTo(1);
        assertThat(paced.read(LSR) & (LSR_THRE | LSR_TEMT)).isEqualTo(LSR_THRE); // the third is shifting
        now += c;
        assertThat(paced.read(LSR) & (LSR_THRE | LSR_TEMT)).isEqualTo(LSR_THRE | LSR_TEMT);
        assertThat(paced.drainOutput(out)).isEqualTo(1);
        assertThat(paced.deadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldLoseWritesToAFullTransmitFifo() {
        setUp(paced, 12);
        paced.write(FCR, FCR_ENABLE);
        for (int i = 0; i < 2 + FIFO_DEPTH; i++) {
            paced.write(THR, i); // 0 goes to the shift register, 1 to 16 fill the FIFO, 17 is lost
        }
        now += (2 + FIFO_DEPTH) * characterNanos(12);
        paced.advance();
        byte[] out = new byte[32];
        int n = paced.drainOutput(out);
        assertThat(n).isEqualTo(1 + FIFO_DEPTH);
        assertThat(out[n - 1]).isEqualTo((byte) FIFO_DEPTH);
    }

    @Test
    void shouldAddTheFaultDelayToEachCharacter() {
        setUp(paced, 1);
        faults.delayMicros(50);
        paced.write(THR, 'x');
        assertThat(paced.deadline()).isEqualTo(now + characterNanos(1) + 50_000);
    }

    @Test
    void shouldReceiveFromTheLineOneCharacterTimeApartWhenPaced() {
        setUp(paced, 12);
        paced.write(FCR, FCR_ENABLE);
        paced.fromLine(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        long c = characterNanos(12);
        assertThat(paced.read(LSR) & LSR_DR).isZero();
        now += c;
        assertThat(paced.read(RBR)).isEqualTo(1);
        now += 2 * c;
        assertThat(paced.read(RBR)).isEqualTo(2);
        assertThat(paced.read(RBR)).isEqualTo(3);
    }

    @Test
    void shouldTimeOutAfterExactlyFourCharacterTimesWithoutActivity() {
        Uart16550 chip = new Uart16550(faults, false, () -> now);
        setUp(chip, 12);
        chip.write(FCR, FCR_ENABLE | FCR_TRIGGER_8);
        chip.write(IER, IER_ERBFI);
        chip.fromLine(ByteBuffer.wrap(new byte[] {'a', 'b'}));
        long four = 4 * characterNanos(12);
        assertThat(chip.deadline()).isEqualTo(now + four);

        now += four / 2;
        assertThat(chip.read(RBR)).isEqualTo('a'); // a read restarts the timer
        now += four - 1;
        assertThat(chip.read(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
        now += 1;
        chip.advance();
        assertThat(chip.read(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_CTI);

        chip.fromLine(ByteBuffer.wrap(new byte[] {'c'}));
        assertThat(chip.read(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_CTI); // once raised, only a read clears it
        assertThat(chip.read(RBR)).isEqualTo('b');
        assertThat(chip.read(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
    }

    @Test
    void shouldNotTimeOutWithoutFifos() {
        Uart16550 chip = new Uart16550(faults, false, () -> now);
        setUp(chip, 1);
        chip.write(IER, IER_ERBFI);
        chip.fromLine(ByteBuffer.wrap(new byte[] {'a'}));
        assertThat(chip.read(IIR)).isEqualTo(IIR_RDA);
        now += 1_000_000_000L;
        chip.read(RBR);
        chip.fromLine(ByteBuffer.wrap(new byte[] {'b'}));
        now += 1_000_000_000L;
        assertThat(chip.read(IIR)).isEqualTo(IIR_RDA);
        assertThat(chip.deadline()).isEqualTo(Long.MAX_VALUE);
    }
}
