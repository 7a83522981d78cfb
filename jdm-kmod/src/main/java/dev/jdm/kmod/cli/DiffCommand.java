package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.compat.AbiDiff;
import dev.jdm.kmod.compat.SymbolChange;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Symvers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kmod diff OLD NEW}: the kABI difference between two Module.symvers. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "kABI difference between two kernels' Module.symvers: added, removed, changed CRCs.")
final class DiffCommand extends KmodSubcommand {
    @Parameters(index = "0", paramLabel = "OLD")
    Path oldSymvers;

    @Parameters(index = "1", paramLabel = "NEW")
    Path newSymvers;

    @Option(names = "--modules", paramLabel = "DIR", description = "Only symbols that the modules under DIR import.")
    Path modulesDir;

    @Option(names = "--weak-updates", description = "List which modules under --modules can be reused on NEW without a rebuild.")
    boolean weakUpdates;

    @Override
    int run() throws KmodException {
        if (weakUpdates && modulesDir == null) {
            throw new KmodException("--weak-updates needs --modules DIR");
        }
        Symvers oldK = Symvers.read(oldSymvers);
        Symvers newK = Symvers.read(newSymvers);
        Map<String, List<ImportedSymbol>> imports = modulesDir == null ? null : AbiDiff.imports(AbiDiff.modulesIn(modulesDir));
        Set<String> only = imports == null ? null : AbiDiff.importedSymbols(imports);
        List<SymbolChange> changes = AbiDiff.diff(oldK, newK, only);
        Map<String, List<String>> weak = weakUpdates ? AbiDiff.weakUpdates(imports, oldK, newK) : null;
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            List<Object> list = new ArrayList<>();
            for (SymbolChange c : changes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("change", c.change().name().toLowerCase());
                m.put("symbol", c.symbol());
                m.put("module", c.module());
                m.put("namespace", c.namespace());
                m.put("old_crc", c.oldCrc() < 0 ? null : String.format("0x%08x", c.oldCrc()));
                m.put("new_crc", c.newCrc() < 0 ? null : String.format("0x%08x", c.newCrc()));
                list.add(m);
            }
            out.put("changes", list);
            if (weak != null) {
                Map<String, Object> w = new LinkedHashMap<>();
                weak.forEach((mod, blockers) -> w.put(mod, Map.of("reusable", blockers.isEmpty(), "blockers", blockers)));
                out.put("weak_updates", w);
            }
            printJson(out);
            return OK;
        }
        StringBuilder sb = new StringBuilder();
        String group = null;
        for (SymbolChange c : changes) {
            String g = c.module() + (c.namespace().isEmpty() ? "" : " [namespace " + c.namespace() + "]");
            if (!Objects.equals(g, group)) {
                sb.append(g).append(":\n");
                group = g;
            }
            switch (c.change()) {
                case ADDED -> sb.append(String.format("  + %s 0x%08x%n", c.symbol(), c.newCrc()));
                case REMOVED -> sb.append(String.format("  - %s 0x%08x%n", c.symbol(), c.oldCrc()));
                case CRC_CHANGED -> sb.append(String.format("  ~ %s 0x%08x -> 0x%08x%n", c.symbol(), c.oldCrc(), c.newCrc()));
            }
        }
        long added = changes.stream().filter(c -> c.change() == SymbolChange.Change.ADDED).count();
        long removed = changes.stream().filter(c -> c.change() == SymbolChange.Change.REMOVED).count();
        sb.append(String.format("%d added, %d removed, %d changed%n", added, removed, changes.size() - added - removed));
        if (weak != null) {
            sb.append("weak-updates:\n");
            weak.forEach((mod, blockers) -> sb.append("  ").append(mod).append(": ")
                    .append(blockers.isEmpty() ? "reusable" : "needs rebuild: " + String.join(", ", blockers)).append('\n'));
        }
        printRaw(sb.toString());
        return OK;
    }
}
