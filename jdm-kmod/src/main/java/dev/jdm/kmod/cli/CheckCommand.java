package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.compat.KernelAbi;
import dev.jdm.kmod.compat.LoadChecker;
import dev.jdm.kmod.compat.LoadVerdict;
import dev.jdm.kmod.compat.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kmod check MODULE… --against SYMVERS|KERNEL_DIR}: exit 0 if all load, 1 if any will not. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Will these modules load on that kernel? Checks symbols, CRCs, GPL-only exports, namespaces and vermagic.")
final class CheckCommand extends KmodSubcommand {
    @Parameters(arity = "1..*", paramLabel = "MODULE")
    List<Path> modules;

    @Option(names = "--against", required = true, paramLabel = "SYMVERS|KERNEL_DIR",
            description = "Module.symvers (plain or .gz), a kernel/headers tree with Module.symvers, or /lib/modules/KVER.")
    Path against;

    @Override
    int run() throws KmodException {
        List<LoadVerdict> verdicts = new LoadChecker(KernelAbi.load(against)).check(modules);
        boolean allLoad = verdicts.stream().allMatch(LoadVerdict::willLoad);
        if (json) {
            List<Object> out = new ArrayList<>();
            for (LoadVerdict v : verdicts) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("module", v.module());
                m.put("name", v.name());
                m.put("will_load", v.willLoad());
                m.put("symbols_checked", v.checked());
                m.put("problems", ProblemJson.of(v.problems()));
                out.add(m);
            }
            printJson(out);
        } else {
            StringBuilder sb = new StringBuilder();
            for (LoadVerdict v : verdicts) {
                sb.append(v.module()).append(": ").append(v.willLoad() ? "will load" : "will NOT load")
                        .append(" (").append(v.checked()).append(" symbols checked against ").append(against).append(")\n");
                for (Problem p : v.problems()) {
                    sb.append("  ").append(p.detail()).append('\n');
                }
            }
            printRaw(sb.toString());
        }
        return allLoad ? OK : FAILED;
    }
}
