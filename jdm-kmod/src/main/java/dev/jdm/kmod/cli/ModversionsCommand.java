package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.symbols.SymbolVersion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code kmod modversions}: same output as {@code modprobe --show-modversions}. */
@Command(name = "modversions", mixinStandardHelpOptions = true,
        description = "List the symbol CRCs a module was built against (modprobe --show-modversions).")
final class ModversionsCommand extends KmodSubcommand {
    @Parameters(arity = "1", paramLabel = "FILE")
    Path file;

    @Override
    int run() throws KmodException {
        ElfFile elf = ModuleFile.open(file).elf();
        List<SymbolVersion> versions = ModVersions.read(elf);
        if (json) {
            List<Object> out = new ArrayList<>();
            versions.forEach(v -> out.add(Map.of("symbol", v.symbol(), "crc", String.format("0x%08x", v.crc()))));
            printJson(out);
        } else {
            StringBuilder sb = new StringBuilder();
            versions.forEach(v -> sb.append(v.toKmodLine()).append('\n'));
            printRaw(sb.toString());
        }
        if (!ModVersions.present(elf)) {
            throw KmodException.in(file, "no modversions (__versions section); module built without CONFIG_MODVERSIONS?");
        }
        return OK;
    }
}
