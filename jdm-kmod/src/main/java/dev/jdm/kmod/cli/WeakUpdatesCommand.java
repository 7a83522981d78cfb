package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.weak.Decision;
import dev.jdm.kmod.weak.Indexes;
import dev.jdm.kmod.weak.KernelPlan;
import dev.jdm.kmod.weak.LinkOp;
import dev.jdm.kmod.weak.ModuleRoot;
import dev.jdm.kmod.weak.WeakUpdates;
import dev.jdm.kmod.weak.WeakUpdatesReport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kmod weak-updates}: RHEL's weak-modules actions with jdm's checks. The actions take
 * their operands as arguments; with none, modules are read from stdin (one path a line) and
 * the kernel is the running one, as weak-modules does.
 */
@Command(name = "weak-updates", mixinStandardHelpOptions = true,
        description = {"Link modules built for one kernel into the weak-updates/ of every other installed kernel whose kABI "
                + "they fit (RHEL weak-modules, SUSE weak-modules2), then regenerate those kernels' module indexes.",
                "Exit 0 when done (modules that do not fit are reported, not an error), 1 on bad input."})
final class WeakUpdatesCommand extends KmodSubcommand {
    static final class Action {
        @Option(names = "--add-modules", required = true, description = "Link MODULE… into every other kernel it fits.")
        boolean addModules;
        @Option(names = "--remove-modules", required = true,
                description = "Remove the links to MODULE… once the files are gone (as after a package removal), "
                        + "and the links of modules that need them.")
        boolean removeModules;
        @Option(names = "--add-kernel", required = true,
                description = "Link into KVER every module of the other kernels' extra/ and updates/ that fits it.")
        boolean addKernel;
        @Option(names = "--remove-kernel", required = true, description = "Remove every link in KVER's weak-updates.")
        boolean removeKernel;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Action action;

    @Parameters(arity = "0..*", paramLabel = "MODULE|KVER",
            description = "Module files for --add/--remove-modules (default: read from stdin); a kernel release for "
                    + "--add/--remove-kernel (default: the running kernel).")
    List<String> operands = new ArrayList<>();

    @Option(names = {"-b", "--basedir"}, paramLabel = "DIR", description = "Work on the kernels under DIR/lib/modules, as depmod -b.")
    Path baseDir = Path.of("/");

    @Option(names = "--dry-run", description = "Decide and report, change nothing.")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Say for each (module, kernel) why it was linked or not, and every change.")
    boolean verbose;

    /** Who regenerates the indexes; the constants are spelled as users type them, so picocli checks the value. */
    enum DepmodTool { jdm, kmod }

    @Option(names = "--depmod", paramLabel = "jdm|kmod", defaultValue = "jdm",
            description = "Who regenerates the indexes: jdm's depmod (default) or kmod's depmod from PATH.")
    DepmodTool depmod;

    @Option(names = "--no-initramfs", hidden = true,
            description = "Accepted for weak-modules compatibility: jdm never rebuilds an initramfs.")
    boolean noInitramfs;

    @Override
    int run() throws KmodException {
        Indexes indexes = depmod == DepmodTool.kmod ? Indexes.kmod() : Indexes.jdm();
        WeakUpdates w = new WeakUpdates(new ModuleRoot(baseDir), indexes, dryRun);
        WeakUpdatesReport report;
        if (action.addModules || action.removeModules) {
            List<Path> files = (operands.isEmpty() ? stdinLines() : operands).stream().map(Path::of).toList();
            if (files.isEmpty()) {
                throw new KmodException("no modules given (as arguments or on stdin)");
            }
            report = action.addModules ? w.addModules(files) : w.removeModules(files);
        } else {
            if (operands.size() > 1) {
                throw new KmodException("one kernel release expected, got " + operands.size() + ": " + String.join(" ", operands));
            }
            String kver = operands.isEmpty() ? System.getProperty("os.version") : operands.getFirst();
            report = action.addKernel ? w.addKernel(kver) : w.removeKernel(kver);
        }
        report.warnings().forEach(warning -> error("warning: " + warning));
        if (json) {
            printJson(toJson(report));
        } else {
            printRaw(text(report));
        }
        return OK;
    }

    private List<String> stdinLines() throws KmodException {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            return r.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (java.io.UncheckedIOException e) {
            throw new KmodException("cannot read the module list from stdin: " + e.getMessage());
        }
    }

    private String text(WeakUpdatesReport r) {
        StringBuilder sb = new StringBuilder();
        String would = r.dryRun() ? "would " : "";
        for (KernelPlan k : r.kernels()) {
            if (verbose) {
                for (Decision d : k.decisions()) {
                    sb.append(d.fileName()).append(" (").append(d.fromKernel()).append(") -> ").append(d.kernel()).append(": ")
                            .append(d.outcome().name().toLowerCase().replace('_', ' ')).append(": ").append(d.detail()).append('\n');
                }
            }
            if (verbose || r.dryRun()) {
                for (LinkOp op : k.ops()) {
                    sb.append(would).append(op.describe()).append('\n');
                }
            }
        }
        if (verbose) {
            r.regenerated().forEach(kver -> sb.append("depmod ").append(kver).append('\n'));
        }
        return sb.toString();
    }

    private static Map<String, Object> toJson(WeakUpdatesReport r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", r.action());
        out.put("dry_run", r.dryRun());
        List<Object> kernels = new ArrayList<>();
        for (KernelPlan k : r.kernels()) {
            Map<String, Object> km = new LinkedHashMap<>();
            km.put("kernel", k.kernel().release());
            km.put("symvers", k.symvers());
            List<Object> modules = new ArrayList<>();
            for (Decision d : k.decisions()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("module", d.module().toString());
                m.put("name", d.name());
                m.put("from_kernel", d.fromKernel());
                m.put("link", d.link().toString());
                m.put("outcome", d.outcome().name().toLowerCase());
                m.put("reason", d.reason().name().toLowerCase());
                m.put("detail", d.detail());
                m.put("problems", ProblemJson.of(d.problems()));
                modules.add(m);
            }
            km.put("modules", modules);
            km.put("changes", k.ops().stream().map(LinkOp::describe).toList());
            km.put("indexes_regenerated", r.regenerated().contains(k.kernel().release()));
            kernels.add(km);
        }
        out.put("kernels", kernels);
        out.put("warnings", r.warnings());
        return out;
    }
}
