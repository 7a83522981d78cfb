package dev.jdm.host.module;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code modules.dep}, {@code modules.alias} and {@code modules.symbols} in kmod's text
 * formats from the module index. Files are replaced atomically, so modprobe never reads half of one.
 */
public final class Depmod {
    private Depmod() {}

    /** What depmod wrote. */
    public record Result(Path directory, int modules, List<String> problems) {}

    /**
     * Indexes the modules and writes the files into {@code out}.
     *
     * @throws IOException if the files cannot be written
     */
    public static Result run(ModuleIndex index, Path out) throws IOException {
        List<String> problems = new ArrayList<>();
        List<ModuleIndex.Entry> entries = index.scan(problems);
        Map<String, ModuleIndex.Entry> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        StringBuilder dep = new StringBuilder();
        StringBuilder alias = new StringBuilder("# Aliases extracted from modules themselves.\n");
        StringBuilder symbols = new StringBuilder("# Aliases for symbols, used by symbol_request().\n");
        for (ModuleIndex.Entry e : entries) {
            java.util.SequencedSet<String> closure = new LinkedHashSet<>();
            transitive(e.name(), byName, closure, new LinkedHashSet<>(), problems);
            closure.remove(e.name());
            dep.append(display(e, out)).append(':');
            for (String d : closure.reversed()) {
                dep.append(' ').append(display(byName.get(d), out));
            }
            dep.append('\n');
            for (String a : e.info().all("alias")) {
                alias.append("alias ").append(a).append(' ').append(e.name()).append('\n');
            }
            for (String s : e.exports()) {
                symbols.append("alias symbol:").append(s).append(' ').append(e.name()).append('\n');
            }
        }
        Files.createDirectories(out);
        write(out.resolve("modules.dep"), dep.toString());
        write(out.resolve("modules.alias"), alias.toString());
        write(out.resolve("modules.symbols"), symbols.toString());
        return new Result(out, entries.size(), problems);
    }

    /** Dependencies of {@code name}, deepest last, as modules.dep lists them (nearest first). */
    private static void transitive(String name, Map<String, ModuleIndex.Entry> byName, java.util.SequencedSet<String> out, Set<String> path, List<String> problems) {
        if (!path.add(name)) {
            problems.add("dependency cycle through " + String.join(" -> ", path) + " -> " + name);
            return;
        }
        ModuleIndex.Entry e = byName.get(name);
        if (e != null) {
            for (String d : e.info().depends()) {
                if (!byName.containsKey(d)) {
                    problems.add(name + ": depends on " + d + ", which is in no module directory");
                    continue;
                }
                transitive(d, byName, out, path, problems);
            }
        }
        path.remove(name);
        out.add(name);
    }

    private static String display(ModuleIndex.Entry e, Path out) {
        Path p = e.path().toAbsolutePath().normalize();
        return p.startsWith(out.toAbsolutePath().normalize()) ? out.toAbsolutePath().normalize().relativize(p).toString() : p.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
