package dev.jdm.hw.emu.uart;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.Faults;

/**
 * The device's INTA# as the board sees it, with the interrupt faults applied to its rising edges.
 * A lost edge leaves the line low while the cause stays, so the driver hears of it only when the
 * cause goes and comes back, as with an edge lost on a PC's edge-triggered IRQ. A spurious one is
 * an extra assert and deassert right after the real interrupt's cause was cleared, with nothing
 * behind it. Not thread-safe; the device calls it under its lock.
 */
final class IntxLine {
    private boolean wanted;
    private boolean driven;
    private boolean spuriousOwed;

    /** Forgets the line's state; the next {@link #drive} starts from deasserted. */
    void reset() {
        wanted = false;
        driven = false;
        spuriousOwed = false;
    }

    /** The level the device's interrupt logic wants on the line now. */
    void drive(boolean level, BoardPort port, Faults faults) {
        if (level == wanted) {
            return;
        }
        wanted = level;
        if (level) {
            int edges = faults.interruptsFor();
            if (edges == 0) {
                return;
            }
            driven = true;
            spuriousOwed = edges > 1;
            port.intx(true);
            return;
        }
        if (driven) {
            driven = false;
            port.intx(false);
        }
        if (spuriousOwed) {
            spuriousOwed = false;
            port.intx(true);
            port.intx(false);
        }
    }
}
