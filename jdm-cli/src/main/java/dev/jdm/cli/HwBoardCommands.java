package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.HwAddCall;
import dev.jdm.gate.proto.HwBoardCall;
import dev.jdm.gate.proto.HwBoardDevice;
import dev.jdm.gate.proto.HwBoardReply;
import dev.jdm.gate.proto.HwFaultCall;
import dev.jdm.gate.proto.HwRemoveCall;
import dev.jdm.gate.proto.Request;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jdm hw board|add|rm|fault}: the host's emulated board, as opposed to {@code jdm hw ls},
 * which reads the machine's real devices and needs no host.
 */
final class HwBoardCommands {
    private HwBoardCommands() {}

    static void print(PrintWriter out, HwBoardReply reply, boolean json) {
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (HwBoardDevice d : reply.getDevicesList()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", d.getName());
                row.put("kind", d.getKind());
                row.put("vendor", String.format("%04x", d.getVendor()));
                row.put("device", String.format("%04x", d.getDevice()));
                row.put("class", String.format("%06x", d.getClassCode()));
                row.put("modalias", d.getModalias());
                row.put("driver", d.getDriver());
                row.put("backing", d.getBacking());
                row.put("faults", d.getFaults());
                rows.add(row);
            }
            JdmCommand.printJson(out, rows);
            return;
        }
        out.printf("%-13s %-11s %-11s %-12s %-30s %s%n", "DEVICE", "KIND", "ID", "DRIVER", "BACKING", "FAULTS");
        for (HwBoardDevice d : reply.getDevicesList()) {
            out.printf("%-13s %-11s %-11s %-12s %-30s %s%n", d.getName(), d.getKind(), String.format("%04x:%04x", d.getVendor(), d.getDevice()),
                    d.getDriver().isEmpty() ? "-" : d.getDriver(), d.getBacking(), d.getFaults().isEmpty() ? "-" : d.getFaults());
        }
        out.flush();
    }

    @Command(name = "board", description = "List the host's emulated board: each device, its modalias, the driver bound to it, its backing and faults.")
    static final class Board implements Callable<Integer> {
        @ParentCommand HwCommand hw;
        @Spec CommandSpec spec;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            try (GateClient gate = hw.root.connect()) {
                print(spec.commandLine().getOut(), gate.call(Request.newBuilder().setHwBoard(HwBoardCall.getDefaultInstance())).getHwBoard(), json);
            }
            return 0;
        }
    }

    @Command(name = "add", description = {"Hotplug an emulated device; a driver whose alias matches binds, or is modprobed.",
            "virtio-blk: file=PATH or size=BYTES, read_only=true, serial=TEXT, kicks=inline or workers.",
            "uart16550: socket=PATH, bus=pci or platform.", "cdc-acm: socket=PATH.",
            "pci-config: address=DDDD:BB:DD.F (a real device's config space, read-only)."})
    static final class Add implements Callable<Integer> {
        @ParentCommand HwCommand hw;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KIND", description = "virtio-blk, uart16550, cdc-acm or pci-config") String kind;
        @Parameters(index = "1..*", paramLabel = "name=value") List<String> params = new ArrayList<>();

        @Override
        public Integer call() {
            HwBoardReply reply;
            try (GateClient gate = hw.root.connect()) {
                reply = gate.call(Request.newBuilder().setHwAdd(HwAddCall.newBuilder().setKind(kind).putAllParams(ModuleCommands.params(params))))
                        .getHwBoard();
            }
            PrintWriter out = spec.commandLine().getOut();
            HwBoardDevice d = reply.getDevicesList().stream().filter(x -> x.getName().equals(reply.getAdded())).findFirst().orElseThrow();
            out.println(d.getName() + ": " + d.getKind() + (d.getDriver().isEmpty() ? ", no driver bound" : ", bound to " + d.getDriver()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "rm", description = "Surprise-remove an emulated device: its driver fails the I/O in flight (ENODEV) and lets go.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand HwCommand hw;
        @Parameters(index = "0", paramLabel = "DEVICE", description = "as jdm hw board names it, e.g. 0001:00:01.0") String name;

        @Override
        public Integer call() {
            try (GateClient gate = hw.root.connect()) {
                gate.call(Request.newBuilder().setHwRm(HwRemoveCall.newBuilder().setName(name)));
            }
            return 0;
        }
    }

    @Command(name = "fault", description = "Inject faults into an emulated device: error_every=N, delay_us=N, drop_irq_every=N, "
            + "spurious_irq_every=N, stuck_busy=0|1 (0 turns one off).")
    static final class Fault implements Callable<Integer> {
        @ParentCommand HwCommand hw;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DEVICE") String name;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "name=value") List<String> faults = new ArrayList<>();

        @Override
        public Integer call() {
            HwBoardReply reply;
            try (GateClient gate = hw.root.connect()) {
                reply = gate.call(Request.newBuilder().setHwFault(HwFaultCall.newBuilder().setName(name).putAllFaults(ModuleCommands.params(faults))))
                        .getHwBoard();
            }
            reply.getDevicesList().stream().filter(d -> d.getName().equals(name)).findFirst()
                    .ifPresent(d -> spec.commandLine().getOut().println(name + ": faults " + (d.getFaults().isEmpty() ? "off" : d.getFaults())));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
