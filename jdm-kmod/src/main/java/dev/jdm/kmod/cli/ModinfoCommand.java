package dev.jdm.kmod.cli;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.modinfo.ModInfoEntry;
import dev.jdm.kmod.modinfo.ModInfoFormatter;
import dev.jdm.kmod.modinfo.ModuleLookup;
import dev.jdm.kmod.modinfo.ModuleNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kmod modinfo}: byte-identical to kmod's modinfo. */
@Command(name = "modinfo", mixinStandardHelpOptions = true,
        description = "Show information about kernel modules, exactly as kmod's modinfo does.")
final class ModinfoCommand extends KmodSubcommand {
    @Parameters(arity = "1..*", paramLabel = "FILE|NAME", description = "Module files, or names/aliases looked up under -b/-k.")
    List<String> targets;

    @Option(names = {"-F", "--field"}, paramLabel = "FIELD", description = "Print only this field's values.")
    String field;

    @Option(names = {"-0", "--null"}, description = "Separate with NUL instead of newline.")
    boolean nul;

    @Option(names = {"-a", "--author"}, description = "Print only 'author'.")
    boolean author;

    @Option(names = {"-d", "--description"}, description = "Print only 'description'.")
    boolean description;

    @Option(names = {"-l", "--license"}, description = "Print only 'license'.")
    boolean license;

    @Option(names = {"-p", "--parameters"}, description = "Print only 'parm'.")
    boolean parameters;

    @Option(names = {"-n", "--filename"}, description = "Print only 'filename'.")
    boolean filename;

    @Option(names = {"-b", "--basedir"}, paramLabel = "DIR", description = "Root of the module tree (DIR/lib/modules/KVER).")
    String baseDir;

    @Option(names = {"-k", "--set-version"}, paramLabel = "KVER", description = "Kernel release (default: the running kernel).")
    String kernelRelease;

    @Override
    int run() throws KmodException {
        String f = author ? "author" : description ? "description" : license ? "license"
                : parameters ? "parm" : filename ? "filename" : field;
        ModInfoFormatter formatter = new ModInfoFormatter(f, nul);
        int rc = OK;
        List<Object> jsonOut = new ArrayList<>();
        for (String target : targets) {
            try {
                for (ModInfo info : resolve(target)) {
                    if (json) {
                        jsonOut.add(toJson(info));
                    } else {
                        printRaw(formatter.format(info));
                    }
                    formatter.warnings().forEach(this::error);
                    formatter.warnings().clear();
                }
            } catch (KmodException e) {
                error(e.getMessage());
                rc = FAILED;
            }
        }
        if (json) {
            printJson(jsonOut);
        }
        return rc;
    }

    private List<ModInfo> resolve(String target) throws KmodException {
        Path p = Path.of(target);
        if (Files.isRegularFile(p) && ModuleNames.isModuleFileName(target)) {
            return List.of(ModInfo.read(p));
        }
        if (!target.contains("/") || baseDir != null) {
            String kver = kernelRelease != null ? kernelRelease : System.getProperty("os.version");
            List<ModInfo> found = new ModuleLookup(ModuleLookup.moduleDir(baseDir, kver)).lookup(target);
            if (!found.isEmpty()) {
                return found;
            }
        }
        if (Files.isRegularFile(p)) {
            return List.of(ModInfo.read(p));
        }
        throw new KmodException("Module " + target + " not found.");
    }

    static Map<String, Object> toJson(ModInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("filename", info.isBuiltin() ? "(builtin)" : info.filename());
        List<Map<String, String>> fields = new ArrayList<>();
        for (ModInfoEntry e : info.entries()) {
            fields.add(Map.of("key", e.key(), "value", e.value()));
        }
        m.put("fields", fields);
        info.signature().ifPresent(s -> {
            Map<String, Object> sig = new LinkedHashMap<>();
            sig.put("id_type", s.idType());
            sig.put("signer", s.signer());
            sig.put("key_id", dev.jdm.kmod.modinfo.ModuleSignature.hex(s.keyId()));
            sig.put("hash_algo", s.hashAlgo());
            sig.put("signature", java.util.HexFormat.of().formatHex(s.signature()));
            m.put("signature", sig);
        });
        return m;
    }
}
