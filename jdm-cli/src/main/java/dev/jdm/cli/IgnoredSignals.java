package dev.jdm.cli;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Signals a process inherited as ignored. HotSpot leaves an inherited SIG_IGN of SIGHUP, SIGINT or
 * SIGTERM in place, and {@code sun.misc.Signal.handle} then registers a handler that never runs; so
 * a signal the host means to handle is set back to its default first, where it was ignored.
 */
final class IgnoredSignals {
    private static final MethodHandle SIGNAL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().findOrThrow("signal"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private IgnoredSignals() {}

    /** Whether {@code signal} is ignored in this process now ({@code SigIgn} of /proc/self/status). */
    static boolean ignored(int signal) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (signal - 1))) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false; // unknown: leave the disposition alone
        }
        return false;
    }

    /** Sets {@code signal} back to SIG_DFL if it is ignored, so that a handler installed next takes effect. */
    static void unignore(int signal) {
        if (ignored(signal)) {
            try {
                MemorySegment ignoredOld = (MemorySegment) SIGNAL.invokeExact(signal, MemorySegment.NULL); // SIG_DFL is 0
            } catch (Throwable t) {
                throw new IllegalStateException("signal(" + signal + ", SIG_DFL): " + t, t);
            }
        }
    }
}
