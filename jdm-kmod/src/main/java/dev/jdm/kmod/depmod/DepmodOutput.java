package dev.jdm.kmod.depmod;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.modinfo.BuiltinModInfo;
import dev.jdm.kmod.modinfo.ModInfoEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders depmod's text indexes exactly as kmod's depmod writes them (output_deps,
 * output_aliases, output_softdeps, output_symbols, output_devname, and kmod 33's
 * output_weakdeps), plus modules.builtin.alias, and the binary tries.
 */
public final class DepmodOutput {
    private static final Pattern CHAR_MAJOR = Pattern.compile("char-major-(\\d+)-(\\d+).*", Pattern.DOTALL);
    private static final Pattern BLOCK_MAJOR = Pattern.compile("block-major-(\\d+)-(\\d+).*", Pattern.DOTALL);

    private DepmodOutput() {
    }

    /** Every index by file name, contents as ISO-8859-1 byte strings, in kmod's writing order. */
    public static Map<String, byte[]> render(Depmod d) throws KmodException {
        // Two halves of about equal cost, the second on another core (kmod renders on one), and
        // started by Depmod.run before the dependencies are computed, which it does not need: the
        // tries of modules.alias and modules.symbols are the expensive parts.
        FutureTask<Map<String, byte[]>> second = d.early != null ? d.early : startIndependent(d);
        Map<String, byte[]> out = new LinkedHashMap<>();
        List<String> depLines = depLines(d); // modules.dep's lines are modules.dep.bin's values too
        out.put("modules.dep", deps(depLines));
        out.put("modules.dep.bin", IndexTrie.depBin(d, depLines));
        out.put("modules.alias", aliases(d));
        out.put("modules.alias.bin", IndexTrie.aliasBin(d));
        try {
            out.putAll(second.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmodException("interrupted while writing the indexes");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case KmodException k -> throw k;
                case RuntimeException r -> throw r;
                case Error r -> throw r;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    /**
     * Starts rendering, on a thread of its own, the indexes that need modules, their order,
     * modinfo and the symbol table but not dependencies (all but modules.dep and its trie).
     */
    static FutureTask<Map<String, byte[]>> startIndependent(Depmod d) {
        FutureTask<Map<String, byte[]>> task = new FutureTask<>(() -> renderSymbolsAndRest(d));
        Thread.ofPlatform().name("depmod-render").daemon().start(task);
        return task;
    }

    private static Map<String, byte[]> renderSymbolsAndRest(Depmod d) throws KmodException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("modules.softdep", bytes(keyed(d, "softdep",
                "# Soft dependencies extracted from modules themselves.\n", "softdep")));
        out.put("modules.weakdep", bytes(keyed(d, "weakdep",
                "# Weak dependencies extracted from modules themselves.\n", "weakdep")));
        out.put("modules.symbols", symbols(d));
        out.put("modules.symbols.bin", IndexTrie.symbolsBin(d));
        out.put("modules.builtin.bin", IndexTrie.builtinBin(d.moduleDir()));
        BuiltinModInfo builtin = BuiltinModInfo.read(d.moduleDir().resolve("modules.builtin.modinfo"));
        out.put("modules.builtin.alias", bytes(builtinAliases(builtin)));
        byte[] builtinAliasBin = IndexTrie.builtinAliasBin(builtin);
        if (builtinAliasBin != null) {
            out.put("modules.builtin.alias.bin", builtinAliasBin);
        }
        out.put("modules.devname", bytes(devnames(d)));
        return out;
    }

    /** Writes the indexes into {@code outDir} through temporary files, as depmod does. */
    public static void write(Map<String, byte[]> files, Path outDir) throws KmodException {
        try {
            Files.createDirectories(outDir);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path tmp = outDir.resolve(f.getKey() + ".tmp");
                Files.write(tmp, f.getValue());
                Files.move(tmp, outDir.resolve(f.getKey()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw KmodException.in(outDir, "cannot write index: " + e.getMessage(), e);
        }
    }

    /** Each module's line of modules.dep, without its newline: "relpath:", then " relpath" per dependency. */
    static List<String> depLines(Depmod d) {
        List<String> lines = new ArrayList<>(d.modules().size());
        StringBuilder sb = new StringBuilder(256);
        for (DepmodModule m : d.modules()) {
            sb.setLength(0);
            sb.append(m.relpath).append(':');
            for (DepmodModule dep : Depmod.allDependencies(m)) {
                sb.append(' ').append(dep.relpath);
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    static byte[] deps(List<String> lines) {
        return ByteOut.sized(out -> {
            for (String line : lines) {
                out.text(line).write('\n');
            }
        });
    }

    static byte[] aliases(Depmod d) {
        return ByteOut.sized(out -> {
            out.text("# Aliases extracted from modules themselves.\n");
            for (DepmodModule m : d.modules()) {
                for (ModInfoEntry e : m.info) {
                    if (e.key().equals("alias")) {
                        out.text("alias ").text(e.value()).write(' ').text(m.name).write('\n');
                    }
                }
            }
        });
    }

    static String keyed(Depmod d, String key, String header, String word) {
        StringBuilder sb = new StringBuilder(header);
        for (DepmodModule m : d.modules()) {
            for (ModInfoEntry e : m.info) {
                if (e.key().equals(key)) {
                    sb.append(word).append(' ').append(m.name).append(' ').append(e.value()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static byte[] symbols(Depmod d) {
        List<Depmod.Symbol> symbols = d.symbolsInHashOrder();
        return ByteOut.sized(out -> {
            out.text("# Aliases for symbols, used by symbol_request().\n");
            for (Depmod.Symbol s : symbols) {
                if (s.owner() != null) {
                    out.text("alias symbol:").text(s.name()).write(' ').text(s.owner().name).write('\n');
                }
            }
        });
    }

    /** One line per module that has both a devname: alias and a char-/block-major alias. */
    static String devnames(Depmod d) {
        StringBuilder sb = new StringBuilder("# Device nodes to trigger on-demand module loading.\n");
        for (DepmodModule m : d.modules()) {
            String devname = null;
            char type = 0;
            long major = 0;
            long minor = 0;
            for (ModInfoEntry e : m.info) {
                if (!e.key().equals("alias")) {
                    continue;
                }
                String v = e.value();
                // matchers only for the few aliases that can match: most are pci:, usb:, acpi*:...
                Matcher c = v.startsWith("char-major-") ? CHAR_MAJOR.matcher(v) : null;
                Matcher b = v.startsWith("block-major-") ? BLOCK_MAJOR.matcher(v) : null;
                if (v.startsWith("devname:")) {
                    devname = v.substring("devname:".length());
                } else if (c != null && c.matches()) {
                    type = 'c';
                    major = Long.parseLong(c.group(1)) & 0xffffffffL;
                    minor = Long.parseLong(c.group(2)) & 0xffffffffL;
                } else if (b != null && b.matches()) {
                    type = 'b';
                    major = Long.parseLong(b.group(1)) & 0xffffffffL;
                    minor = Long.parseLong(b.group(2)) & 0xffffffffL;
                }
                if (type != 0 && devname != null) {
                    sb.append(m.name).append(' ').append(devname).append(' ').append(type)
                            .append(major).append(':').append(minor).append('\n');
                    break;
                }
            }
        }
        return sb.toString();
    }

    /** Text twin of modules.builtin.alias.bin (kmod writes only the .bin): "alias ALIAS MODULE". */
    static String builtinAliases(BuiltinModInfo builtin) {
        StringBuilder sb = new StringBuilder("# Aliases for built-in modules, from modules.builtin.modinfo.\n");
        for (String name : builtin.names()) {
            builtin.module(name).ifPresent(info -> info.values("alias")
                    .forEach(a -> sb.append("alias ").append(a).append(' ').append(name).append('\n')));
        }
        return sb.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
