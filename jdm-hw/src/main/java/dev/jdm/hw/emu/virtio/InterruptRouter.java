package dev.jdm.hw.emu.virtio;

import dev.jdm.hw.emu.BoardPort;
import dev.jdm.hw.emu.Faults;
import dev.jdm.hw.emu.PciConfigSpace;

/**
 * Where the device's notifications go (virtio 1.2 §4.1.5.3, §4.1.5.4, §4.1.4.5): the MSI-X vector
 * the driver mapped when MSI-X is enabled (none for NO_VECTOR); otherwise the ISR status bits and
 * INTx, which stays asserted until the driver reads ISR. The PCI status register's interrupt bit
 * follows ISR while MSI-X is off; the command register's INTx disable keeps the line low.
 *
 * <p>Every notification first asks {@link Faults#interruptsFor()}: a lost one raises nothing
 * (the ISR bit is still set, as a lost edge would leave it); a spurious extra is a second MSI-X
 * message, or for INTx a line that stays asserted past the ISR read that cleared the cause, so the
 * handler runs once more and finds ISR empty. The owner serialises calls.
 */
final class InterruptRouter {
    private final PciConfigSpace cfg;
    private final MsixTable msix;
    private final Faults faults;
    private int isr;
    private boolean intxRequested;
    private boolean spuriousPending;
    private boolean lineAsserted;

    InterruptRouter(PciConfigSpace cfg, MsixTable msix, Faults faults) {
        this.cfg = cfg;
        this.msix = msix;
        this.faults = faults;
    }

    /** A used buffer notification for a queue mapped to {@code vector}. */
    void queue(BoardPort port, int vector) {
        if (msix.enabled()) {
            message(port, vector);
        } else {
            isr |= VirtioPci.ISR_QUEUE;
            intx(port);
        }
    }

    /** A configuration change notification, config_msix_vector being {@code vector}. */
    void config(BoardPort port, int vector) {
        isr |= VirtioPci.ISR_CONFIG;
        if (msix.enabled()) {
            message(port, vector);
        } else {
            intx(port);
        }
    }

    /** The driver's ISR read: returns the bits and clears them, which deasserts INTx. */
    int readIsr(BoardPort port) {
        int v = isr;
        isr = 0;
        if (spuriousPending) {
            spuriousPending = false;
        } else {
            intxRequested = false;
        }
        sync(port);
        return v;
    }

    /** Clears ISR and the line, as a device reset does. */
    void reset(BoardPort port) {
        isr = 0;
        intxRequested = false;
        spuriousPending = false;
        sync(port);
    }

    /** Brings the status bit and the INTx line in line with ISR, MSI-X enable and INTx disable. */
    void sync(BoardPort port) {
        boolean msixOn = msix.enabled();
        cfg.interruptStatus(!msixOn && isr != 0);
        boolean level = intxRequested && !msixOn && (cfg.command() & PciConfigSpace.COMMAND_INTX_DISABLE) == 0;
        if (port != null && level != lineAsserted) {
            lineAsserted = level;
            port.intx(level);
        }
    }

    private void message(BoardPort port, int vector) {
        if (vector == VirtioPci.NO_VECTOR) {
            return;
        }
        for (int n = faults.interruptsFor(); n > 0; n--) {
            msix.signal(vector, port);
        }
    }

    private void intx(BoardPort port) {
        int n = faults.interruptsFor();
        if (n > 0) {
            intxRequested = true;
            spuriousPending |= n > 1;
        }
        sync(port);
    }
}
