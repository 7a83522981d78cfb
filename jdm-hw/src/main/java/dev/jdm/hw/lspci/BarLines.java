package dev.jdm.hw.lspci;

import dev.jdm.hw.pci.Bar;
import dev.jdm.hw.pci.ConfigSpace;
import dev.jdm.hw.pci.PciDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * lspci -v's window lines: {@code Memory at fe000000 (32-bit, prefetchable) [size=8M]}, {@code I/O
 * ports at c000 [size=32]}, {@code Expansion ROM at ...}. The address and size are the kernel's
 * (sysfs {@code resource}); whether the device decodes them is the command register's, and whether
 * the device holds the address at all is its BAR register's: one that reads 0 while the kernel
 * shows an address is {@code [virtual]}.
 */
final class BarLines {
    private static final long ROM_ADDRESS_MASK = ~0x7ffL;
    private static final long ROM_ENABLE = 0x1;
    // what a window's flags byte says beyond type (include/linux/ioport.h): an Enhanced Allocation entry
    private static final long IORESOURCE_PCI_EA_BEI = 1 << 5;
    private static final long IORESOURCE_TYPE_BITS = 0x1f00;
    private static final long IORESOURCE_MEM = 0x200;

    private BarLines() {
    }

    /** BARs 0 to {@code count - 1}; with no config, the device is taken to decode both spaces. */
    static List<String> bases(PciDevice d, int count, Optional<ConfigSpace> config) {
        int cmd = config.map(c -> c.u16(ConfigSpace.COMMAND)).orElse(VerboseLines.CMD_IO | VerboseLines.CMD_MEMORY);
        List<String> out = new ArrayList<>();
        for (Bar bar : d.resources()) {
            int i = bar.index();
            long pos = bar.start() | (bar.flags() & 0xf);
            if (i >= count || pos == 0 && registerFlags(bar) == 0 && bar.size() == 0) {
                continue;
            }
            long hwLower = 0;
            boolean broken = false;
            boolean virtual = false;
            if (config.isPresent() && config.get().has(ConfigSpace.BAR0 + 4 * i, 4)) {
                hwLower = config.get().u32(ConfigSpace.BAR0 + 4 * i);
                if ((hwLower & 1) == (bar.io() ? 1 : 0)) {
                    // a 64-bit BAR in the last register has no upper half to hold
                    broken = (bar.flags() & IORESOURCE_TYPE_BITS) == IORESOURCE_MEM && (hwLower & 0x6) == 0x4 && i >= count - 1;
                    virtual = pos != 0 && hwLower == 0 && (bar.flags() & IORESOURCE_PCI_EA_BEI) == 0;
                }
            }
            StringBuilder s = new StringBuilder("\t");
            if (bar.io()) {
                long a = bar.start() & ~0x3L;
                s.append("I/O ports at ").append(a != 0 || (cmd & VerboseLines.CMD_IO) != 0 ? String.format("%04x", a)
                        : hwLower != 0 ? "<ignored>" : "<unassigned>");
                s.append(virtual ? " [virtual]" : (cmd & VerboseLines.CMD_IO) == 0 ? " [disabled]" : "");
            } else {
                long a = bar.start() & ~0xfL;
                s.append("Memory at ").append(broken ? "<broken-64-bit-slot>" : a != 0 ? String.format("%08x", a)
                        : hwLower != 0 ? "<ignored>" : "<unassigned>");
                s.append(" (").append(bar.is64Bit() ? "64-bit" : "32-bit").append(", ").append(bar.prefetchable() ? "" : "non-")
                        .append("prefetchable)");
                s.append(virtual ? " [virtual]" : (cmd & VerboseLines.CMD_MEMORY) == 0 ? " [disabled]" : "");
            }
            if ((bar.flags() & IORESOURCE_PCI_EA_BEI) != 0) {
                s.append(" [enhanced]");
            }
            out.add(s.append(size(bar.size())).toString());
        }
        return out;
    }

    /** The expansion ROM; {@code register} is its BAR's offset, -1 to go by the kernel's flags alone. */
    static List<String> rom(PciDevice d, Optional<ConfigSpace> config, int register) {
        Bar rom = d.rom().orElse(new Bar(Bar.ROM, 0, 0, 0));
        long addr = rom.start() | (rom.flags() & 0xf);
        boolean fromConfig = register >= 0 && config.isPresent() && config.get().has(register, 4);
        long flg = fromConfig ? config.get().u32(register) : registerFlags(rom);
        int cmd = fromConfig ? config.get().u16(ConfigSpace.COMMAND) : VerboseLines.CMD_MEMORY;
        if (addr == 0 && flg == 0 && rom.size() == 0) {
            return List.of();
        }
        boolean virtual = false;
        if (fromConfig && (addr & ROM_ADDRESS_MASK) != 0 && (flg & ROM_ADDRESS_MASK) == 0 && (rom.flags() & IORESOURCE_PCI_EA_BEI) == 0) {
            flg = addr;
            virtual = true;
        }
        StringBuilder s = new StringBuilder("\tExpansion ROM at ");
        s.append((addr & ROM_ADDRESS_MASK) != 0 ? String.format("%08x", addr & ROM_ADDRESS_MASK)
                : (flg & ROM_ADDRESS_MASK) != 0 ? "<ignored>" : "<unassigned>");
        if (virtual) {
            s.append(" [virtual]");
        }
        if ((flg & ROM_ENABLE) == 0) {
            s.append(" [disabled]");
        } else if (!virtual && (cmd & VerboseLines.CMD_MEMORY) == 0) {
            s.append(" [disabled by cmd]");
        }
        if ((rom.flags() & IORESOURCE_PCI_EA_BEI) != 0) {
            s.append(" [enhanced]");
        }
        return List.of(s.append(size(rom.size())).toString());
    }

    /**
     * The low bits a BAR register would hold for the kernel's flags (space, type, prefetch): how
     * lspci compares the kernel's view with the device's, and decides a window is there at all.
     */
    static long registerFlags(Bar bar) {
        if (bar.io()) {
            return 0x1;
        }
        if (!bar.memory()) {
            return 0;
        }
        return (bar.is64Bit() ? 0x4 : 0x0) | (bar.prefetchable() ? 0x8 : 0x0);
    }

    /** {@code " [size=512K]"}: the largest unit that divides it, nothing for 0. */
    static String size(long bytes) {
        if (bytes == 0) {
            return "";
        }
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        while (u < units.length - 1 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return " [size=" + Long.toUnsignedString(bytes & 0xffffffffL) + units[u] + "]";
    }
}
