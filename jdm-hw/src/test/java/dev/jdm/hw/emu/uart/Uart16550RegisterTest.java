package dev.jdm.hw.emu.uart;

import static dev.jdm.hw.emu.uart.Uart16550Registers.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.Faults;
import org.junit.jupiter.api.Test;

class Uart16550RegisterTest {
    private final Uart u = new Uart(new Uart16550Device(new QueueLine(false), Uart16550Device.Pacing.NONE, new Faults()));

    @Test
    void shouldComeOutOfResetAsTheDataSheetSays() {
        assertThat(u.in(IER)).isZero();
        assertThat(u.in(IIR)).isEqualTo(IIR_NO_INTERRUPT);
        assertThat(u.in(LCR)).isZero();
        assertThat(u.in(MCR)).isZero();
        assertThat(u.in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT);
        assertThat(u.in(MSR)).isZero(); // nothing attached: no CTS, DSR or DCD
    }

    @Test
    void shouldKeepWhatIsWrittenToTheScratchRegister() {
        for (int v : new int[] {0x00, 0xa5, 0x5a, 0xff}) {
            u.out(SCR, v);
            assertThat(u.in(SCR)).isEqualTo(v);
        }
    }

    @Test
    void shouldRoundTripTheDivisorLatchBehindDlab() {
        u.out(LCR, LCR_DLAB | LCR_8N1);
        u.out(DLL, 0x34);
        u.out(DLM, 0x12);
        assertThat(u.in(DLL)).isEqualTo(0x34);
        assertThat(u.in(DLM)).isEqualTo(0x12);
        assertThat(u.in(IER)).isEqualTo(0x12); // offset 1 is DLM while DLAB is set

        u.out(LCR, LCR_8N1);
        assertThat(u.in(IER)).isZero(); // and IER again once it is clear
        u.out(IER, IER_ERBFI);
        u.out(THR, 0x77); // goes out, does not touch DLL
        assertThat(u.in(LCR)).isEqualTo(LCR_8N1);

        u.out(LCR, LCR_DLAB | LCR_8N1);
        assertThat(u.in(DLL)).isEqualTo(0x34);
        assertThat(u.in(DLM)).isEqualTo(0x12);
        u.out(LCR, LCR_8N1);
        assertThat(u.in(IER)).isEqualTo(IER_ERBFI);
    }

    @Test
    void shouldKeepOnlyTheDefinedBitsOfIerAndMcr() {
        u.out(IER, 0xff);
        u.out(MCR, 0xff);
        assertThat(u.in(IER)).isEqualTo(0x0f);
        assertThat(u.in(MCR)).isEqualTo(0x1f);
    }

    @Test
    void shouldIgnoreWritesToLsrAndMsr() {
        u.out(LSR, 0x00);
        u.out(MSR, 0xff);
        assertThat(u.in(LSR)).isEqualTo(LSR_THRE | LSR_TEMT);
        assertThat(u.in(MSR)).isZero();
    }

    @Test
    void shouldShowTheFifoBitsInIirOnlyWhileFifosAreEnabled() {
        u.out(FCR, FCR_ENABLE);
        assertThat(u.in(IIR)).isEqualTo(IIR_FIFOS_ENABLED | IIR_NO_INTERRUPT);
        u.out(FCR, 0);
        assertThat(u.in(IIR)).isEqualTo(IIR_NO_INTERRUPT);
    }

    @Test
    void shouldTimeCharactersAtTenBitsOf115200OverTheDivisor() {
        assertThat(characterNanos(1)).isEqualTo(86_805); // 115200 baud
        assertThat(characterNanos(12)).isEqualTo(1_041_666); // 9600 baud
        assertThat(characterNanos(0)).isEqualTo(5_688_888_888L); // 0 counts as 65536: 0.57 baud
    }
}
