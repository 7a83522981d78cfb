package dev.jdm.hw.lspci;

import dev.jdm.hw.pci.ConfigSpace;
import dev.jdm.hw.pci.PciDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lines of lspci -v between a device's Subsystem and its kernel driver: header-type warnings,
 * Flags, BIST, then its windows. Flags and the header come from config space, as lspci reads them;
 * a device whose config cannot be read gets its windows alone.
 */
final class VerboseLines {
    // the command and status registers' bits (PCI Local Bus Specification 3.0, 6.2.2 and 6.2.3)
    static final int CMD_IO = 0x1;
    static final int CMD_MEMORY = 0x2;
    private static final int CMD_MASTER = 0x4;
    private static final int STATUS_DEVSEL = 0x600;
    private static final int BIST_CAPABLE = 0x80;
    private static final int BIST_START = 0x40;
    private static final int BRIDGE_PCI = 0x0604;

    /** A bit of the command or status register that Flags names, in lspci's order. */
    private record Flag(boolean status, int mask, String text) {
    }

    private static final List<Flag> FLAGS = List.of(new Flag(false, CMD_MASTER, "bus master"), new Flag(false, 0x20, "VGA palette snoop"),
            new Flag(false, 0x80, "stepping"), new Flag(false, 0x200, "fast Back2Back"), new Flag(true, 0x20, "66MHz"),
            new Flag(true, 0x40, "user-definable features"));

    private VerboseLines() {
    }

    static List<String> of(PciDevice d) {
        List<String> out = new ArrayList<>();
        Optional<ConfigSpace> config = d.config().filter(c -> c.has(ConfigSpace.COMMAND, ConfigSpace.INTERRUPT_PIN - ConfigSpace.COMMAND + 1));
        if (config.isEmpty()) {
            return withoutHeader(d);
        }
        ConfigSpace c = config.get();
        int header = c.u8(ConfigSpace.HEADER_TYPE) & 0x7f;
        int cls = d.pciClass().baseAndSub();
        boolean known = header <= 2;
        if (header == 0 && cls == BRIDGE_PCI || (header == 1 || header == 2) && d.pciClass().base() != 0x06) {
            out.add(String.format("\t!!! Invalid class %04x for header type %02x", cls, header));
        } else if (!known) {
            out.add(String.format("\t!!! Unknown header type %02x", header));
        }
        if (known) {
            out.add(flags(d, c));
            int bist = c.u8(ConfigSpace.BIST);
            if ((bist & BIST_CAPABLE) != 0) {
                out.add((bist & BIST_START) != 0 ? "\tBIST is running" : String.format("\tBIST result: %02x", bist & 0x0f));
            }
        }
        switch (header) {
            case 0 -> {
                out.addAll(BarLines.bases(d, 6, config));
                out.addAll(BarLines.rom(d, config, ConfigSpace.ROM_TYPE0));
            }
            // a bridge has two BARs and its ROM register at 0x38; its windows are not shown here
            case 1 -> {
                out.addAll(BarLines.bases(d, 2, config));
                out.addAll(BarLines.rom(d, config, 0x38));
            }
            case 2 -> out.addAll(BarLines.bases(d, 1, config));
            default -> out.addAll(withoutHeader(d));
        }
        return out;
    }

    /** A device whose header cannot be read or is of no known type: the kernel's windows alone. */
    private static List<String> withoutHeader(PciDevice d) {
        List<String> out = new ArrayList<>(BarLines.bases(d, 6, Optional.empty()));
        out.addAll(BarLines.rom(d, Optional.empty(), -1));
        return out;
    }

    /** {@code \tFlags: bus master, fast devsel, latency 0, IRQ 11}. */
    private static String flags(PciDevice d, ConfigSpace c) {
        int cmd = c.u16(ConfigSpace.COMMAND);
        int status = c.u16(ConfigSpace.STATUS);
        StringBuilder s = new StringBuilder("\tFlags: ");
        for (Flag f : FLAGS) {
            if (((f.status ? status : cmd) & f.mask) != 0) {
                s.append(f.text).append(", ");
            }
        }
        s.append(switch (status & STATUS_DEVSEL) {
            case 0x000 -> "fast";
            case 0x200 -> "medium";
            case 0x400 -> "slow";
            default -> "??";
        }).append(" devsel");
        if ((cmd & CMD_MASTER) != 0) {
            s.append(", latency ").append(c.u8(ConfigSpace.LATENCY_TIMER));
        }
        if (d.irq() != 0) {
            s.append(", IRQ ").append(d.irq());
        }
        if (d.numaNode() != -1) {
            s.append(", NUMA node ").append(d.numaNode());
        }
        d.iommuGroup().ifPresent(g -> s.append(", IOMMU group ").append(g));
        return s.toString();
    }
}
