package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.depmod.Depmod;
import dev.jdm.kmod.depmod.DepmodConfig;
import dev.jdm.kmod.depmod.DepmodModule;
import dev.jdm.kmod.depmod.DepmodOutput;
import dev.jdm.kmod.modinfo.ModuleLookup;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.symbols.SymversEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kmod depmod}: writes the same indexes as kmod's {@code depmod -b BASEDIR KVER}. */
@Command(name = "depmod", mixinStandardHelpOptions = true,
        description = "Generate modules.dep, modules.alias, modules.symbols, ... (and the .bin tries) like kmod's depmod.")
final class DepmodCommand extends KmodSubcommand {
    @Parameters(arity = "0..1", paramLabel = "KVER", description = "Kernel release (default: the running kernel).")
    String kernelRelease;

    @Option(names = {"-b", "--basedir"}, paramLabel = "DIR", description = "Use the module tree under DIR/lib/modules/KVER.")
    String baseDir;

    @Option(names = {"-o", "--outdir"}, paramLabel = "DIR", description = "Write the indexes under DIR/lib/modules/KVER instead.")
    String outDir;

    @Option(names = {"-C", "--config"}, paramLabel = "PATH", description = "depmod.d file or directory (repeatable).")
    List<Path> config;

    @Option(names = {"-E", "--symvers"}, paramLabel = "FILE", description = "Module.symvers with vmlinux's exports.")
    Path symvers;

    @Option(names = {"-F", "--filesyms"}, paramLabel = "FILE", description = "System.map with vmlinux's exports.")
    Path systemMap;

    @Option(names = {"-n", "--show", "--dry-run"}, description = "Print the text indexes to stdout instead of writing them.")
    boolean dryRun;

    @Option(names = {"-a", "--all"}, description = "Probe all modules (the default; accepted for compatibility).")
    boolean all;

    @Override
    int run() throws KmodException {
        String kver = kernelRelease != null ? kernelRelease : System.getProperty("os.version");
        Path moduleDir = ModuleLookup.moduleDir(baseDir == null ? null : Path.of(baseDir).toAbsolutePath().normalize().toString(), kver);
        Depmod d = Depmod.run(moduleDir, DepmodConfig.load(config, kver), kernelSymbols());
        d.warnings().forEach(w -> error("warning: " + w));
        Map<String, byte[]> files = DepmodOutput.render(d);
        if (json) {
            printJson(toJson(d));
        } else if (dryRun) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                if (!f.getKey().endsWith(".bin")) {
                    printRaw(new String(f.getValue(), StandardCharsets.ISO_8859_1));
                }
            }
        }
        if (!dryRun) {
            Path target = outDir == null ? moduleDir : ModuleLookup.moduleDir(outDir, kver);
            DepmodOutput.write(files, target);
        }
        return OK;
    }

    private Map<String, Long> kernelSymbols() throws KmodException {
        Map<String, Long> out = new HashMap<>();
        if (symvers != null) {
            for (SymversEntry e : Symvers.read(symvers).entries()) {
                if (e.isVmlinux()) {
                    out.put(e.symbol(), e.crc());
                }
            }
        } else if (systemMap != null) {
            try {
                for (String line : Files.readAllLines(systemMap, StandardCharsets.ISO_8859_1)) {
                    String[] f = line.split(" ");
                    if (f.length >= 3 && f[2].startsWith("__ksymtab_")) {
                        out.put(f[2].substring("__ksymtab_".length()), 0L);
                    }
                }
            } catch (IOException e) {
                throw KmodException.in(systemMap, "cannot read: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static List<Object> toJson(Depmod d) {
        List<Object> out = new ArrayList<>();
        for (DepmodModule m : d.modules()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", m.name());
            j.put("path", m.relpath());
            j.put("depends", Depmod.allDependencies(m).stream().map(DepmodModule::name).toList());
            j.put("aliases", m.info().stream().filter(e -> e.key().equals("alias")).map(e -> e.value()).toList());
            j.put("exports", m.exports().size());
            out.add(j);
        }
        return out;
    }
}
