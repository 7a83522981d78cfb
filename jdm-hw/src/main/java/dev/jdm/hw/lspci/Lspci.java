package dev.jdm.hw.lspci;

import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.pci.PciClass;
import dev.jdm.hw.pci.PciDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * lspci's listing of devices, as text: one line each ({@code 00:03.0 Ethernet controller [0200]:
 * Red Hat, Inc. Virtio 1.0 network device [1af4:1041] (rev 01)}), or with {@code -v} a block each,
 * ended by an empty line. The terse line follows lspci byte for byte; the verbose block is a subset
 * of lspci -v (no capabilities, kernel modules, physical slot or bridge windows), each of its lines
 * as lspci writes it.
 */
public final class Lspci {
    private final Names names;
    private final boolean verbose;

    public Lspci(PciIds ids, IdMode mode, boolean verbose) {
        this.names = new Names(ids, mode);
        this.verbose = verbose;
    }

    /** The listing, one string per line, devices in the order given (SysfsPci gives lspci's). */
    public List<String> lines(List<PciDevice> devices) {
        // lspci shows domains on every line once one device is outside domain 0
        boolean domains = devices.stream().anyMatch(d -> d.address().domain() != 0);
        List<String> out = new ArrayList<>();
        for (PciDevice d : devices) {
            out.add(terse(d, domains));
            if (verbose) {
                d.subsystem().filter(s -> s.vendor() != 0 && s.vendor() != 0xffff)
                        .ifPresent(s -> out.add("\tSubsystem: " + names.subsystem(d.vendor(), d.device(), s.vendor(), s.device())));
                out.addAll(VerboseLines.of(d));
                d.driver().ifPresent(driver -> out.add("\tKernel driver in use: " + driver));
                out.add("");
            }
        }
        return out;
    }

    /** The device's first line. */
    String terse(PciDevice d, boolean domains) {
        StringBuilder line = new StringBuilder(d.address().format(domains)).append(' ').append(names.pciClass(d.pciClass())).append(": ")
                .append(names.vendorDevice(d.vendor(), d.device()));
        // a revision of 0 is the common case and lspci leaves it out
        d.revision().ifPresent(rev -> line.append(rev == 0 ? "" : String.format(" (rev %02x)", rev)));
        if (verbose) {
            PciClass c = d.pciClass();
            Optional<String> pif = names.progIf(c);
            if (c.progIf() != 0 || pif.isPresent()) {
                line.append(String.format(" (prog-if %02x", c.progIf())).append(pif.map(p -> " [" + p + "]").orElse("")).append(')');
            }
        }
        return line.toString();
    }
}
