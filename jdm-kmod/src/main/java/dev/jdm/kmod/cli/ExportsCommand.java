package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.Exports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kmod exports}: same text as {@code modprobe --show-exports}; JSON adds GPL-ness and namespaces. */
@Command(name = "exports", mixinStandardHelpOptions = true,
        description = "List the symbols a module exports, with CRCs (modprobe --show-exports).")
final class ExportsCommand extends KmodSubcommand {
    @Parameters(arity = "1", paramLabel = "FILE")
    Path file;

    @Override
    int run() throws KmodException {
        List<ExportedSymbol> exports = Exports.read(ModuleFile.open(file).elf());
        if (json) {
            List<Object> out = new ArrayList<>();
            for (ExportedSymbol e : exports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("symbol", e.symbol());
                m.put("crc", String.format("0x%08x", e.crc()));
                m.put("gpl_only", e.gplOnly());
                m.put("namespace", e.namespace());
                out.add(m);
            }
            printJson(out);
        } else {
            StringBuilder sb = new StringBuilder();
            exports.forEach(e -> sb.append(e.version().toKmodLine()).append('\n'));
            printRaw(sb.toString());
        }
        return OK;
    }
}
