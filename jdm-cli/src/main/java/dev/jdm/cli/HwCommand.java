package dev.jdm.cli;

import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.ids.PciIdsFormatException;
import dev.jdm.hw.lspci.IdMode;
import dev.jdm.hw.lspci.Lspci;
import dev.jdm.hw.pci.PciDevice;
import dev.jdm.hw.pci.SysfsException;
import dev.jdm.hw.pci.SysfsPci;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jdm hw}: the machine's real hardware, read from sysfs with no host needed ({@code ls}), and
 * the host's emulated board ({@code board}, {@code add}, {@code rm}, {@code fault}).
 */
@Command(name = "hw", description = "Hardware: the machine's PCI devices as sysfs shows them (ls), and the host's emulated board (board, add, rm, fault).",
        subcommands = {HwCommand.Ls.class, HwBoardCommands.Board.class, HwBoardCommands.Add.class, HwBoardCommands.Rm.class, HwBoardCommands.Fault.class})
final class HwCommand implements GateParent {
    @picocli.CommandLine.ParentCommand JdmCommand root;

    @Override
    public JdmCommand root() {
        return root;
    }

    /** {@code jdm hw ls}: lspci's listing, from the same files lspci reads. */
    @Command(name = "ls", description = "List the PCI devices in sysfs as lspci does, with names from pci.ids.")
    static final class Ls implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "-nn", description = "names and their numeric IDs ([8086:1237]), as lspci -nn") boolean both;
        @Option(names = "-n", description = "numeric IDs only, as lspci -n") boolean numbers;
        @Option(names = "-v", description = "verbose: subsystem, flags and IRQ, memory and I/O windows, kernel driver (a subset of lspci -v)") boolean verbose;
        @Option(names = "--sysfs-root", paramLabel = "DIR", description = "the sysfs tree to read (default: /sys)") Path sysfsRoot = Path.of("/sys");
        @Option(names = "--pci-ids", paramLabel = "FILE", description = "the pci.ids database (default: /usr/share/misc/pci.ids, then /usr/share/hwdata/pci.ids)") Path pciIds;
        @Option(names = "--json", description = "machine-readable output: every field read, names where the database has them") boolean json;

        @Override
        public Integer call() {
            if (both && numbers) {
                throw new CliException(CliException.USAGE, "-n and -nn exclude each other");
            }
            if (!Files.isDirectory(sysfsRoot)) {
                throw new CliException(CliException.USAGE, sysfsRoot + ": no such directory (--sysfs-root names a sysfs tree such as /sys)");
            }
            List<PciDevice> devices;
            try {
                devices = new SysfsPci(sysfsRoot).devices();
            } catch (SysfsException e) {
                throw new CliException(CliException.USAGE, e.getMessage());
            }
            // numbers alone need no names, as lspci -n reads no database
            PciIds ids = numbers && !json ? PciIds.empty() : database();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JdmCommand.printJson(out, HwJson.rows(devices, ids));
            } else {
                new Lspci(ids, both ? IdMode.BOTH : numbers ? IdMode.NUMBERS : IdMode.NAMES, verbose).lines(devices).forEach(out::println);
                out.flush();
            }
            return 0;
        }

        private PciIds database() {
            Path file = pciIds != null ? pciIds : PciIds.locate().orElseThrow(() -> new CliException(CliException.USAGE,
                    "no pci.ids at " + PciIds.DEFAULT_PATHS.get(0) + " or " + PciIds.DEFAULT_PATHS.get(1)
                            + " (install the pci.ids or hwdata package, or name one with --pci-ids FILE)"));
            try {
                return PciIds.load(file);
            } catch (IOException e) {
                throw CliException.unreadable(file, e);
            } catch (PciIdsFormatException e) {
                throw new CliException(CliException.USAGE, e.getMessage() + " (not a pci.ids database?)");
            }
        }
    }
}
