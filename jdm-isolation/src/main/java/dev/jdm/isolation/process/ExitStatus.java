package dev.jdm.isolation.process;

/**
 * How a domain process ended: an exit code, or the signal that killed it (then {@code code} is -1).
 * Taken from the kernel's wait status through a pidfd ({@code PIDFD_INFO_EXIT}, Linux 6.15+), which
 * tells {@code exit(137)} from SIGKILL; on older kernels {@link #fromExitValue} falls back to the
 * JDK's {@code 128 + signal} convention and says so in {@link #exact}.
 */
public record ExitStatus(int code, int signal, boolean exact) {
    /** From a wait(2) status word. */
    public static ExitStatus fromWaitStatus(int status) {
        int sig = status & 0x7f;
        return sig == 0 ? new ExitStatus((status >> 8) & 0xff, 0, true) : new ExitStatus(-1, sig, true);
    }

    /** From {@code Process.exitValue()}, which reports a signal as 128 + its number. */
    public static ExitStatus fromExitValue(int value) {
        return value > 128 && value < 128 + 65 ? new ExitStatus(-1, value - 128, false) : new ExitStatus(value, 0, false);
    }

    public boolean signaled() {
        return signal != 0;
    }

    @Override
    public String toString() {
        String s = signaled() ? "killed by signal " + signal : "exited with code " + code;
        return exact ? s : s + " (from the exit value; the kernel gave no wait status)";
    }
}
