package dev.jdm.host.module;

import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The modules on disk: the bundled directory and the user's, read from each JAR's modinfo and
 * exports. One model serves modprobe (find by name or alias) and depmod (write the indexes).
 * Like depmod, it trusts the tables for indexing; the loader rechecks everything at load time.
 */
public final class ModuleIndex {
    /**
     * One module file.
     *
     * @param exports exported symbols by text
     */
    public record Entry(String name, Path path, ModInfo info, List<String> exports, boolean bundled) {}

    private final Path bundled;
    private final Path user;

    /** @param bundled the directory of bundled modules, or null; @param user the user's modules directory, or null */
    public ModuleIndex(Path bundled, Path user) {
        this.bundled = bundled == null ? null : bundled.toAbsolutePath().normalize();
        this.user = user == null ? null : user.toAbsolutePath().normalize();
    }

    /** The directories searched, bundled first. */
    public List<Path> directories() {
        List<Path> out = new ArrayList<>();
        if (bundled != null) {
            out.add(bundled);
        }
        if (user != null) {
            out.add(user);
        }
        return out;
    }

    /** The user directory, where depmod writes. */
    public Optional<Path> userDirectory() {
        return Optional.ofNullable(user);
    }

    /** Whether a module file lies in the bundled directory. */
    public boolean isBundled(String origin) {
        if (bundled == null) {
            return false;
        }
        try {
            return Path.of(origin).toAbsolutePath().normalize().startsWith(bundled);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Every readable module; unreadable files are skipped, and listed in {@code problems}. */
    public List<Entry> scan(List<String> problems) {
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Path dir : directories()) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    try {
                        JarContents c = JarContents.read(jar);
                        byte[] mi = c.metadata().get("modinfo");
                        if (mi == null) {
                            problems.add(jar + ": no modinfo");
                            continue;
                        }
                        ModInfo info = ModInfo.parse(mi, jar.toString());
                        byte[] ex = c.metadata().get("exports");
                        List<String> exports = ex == null ? List.of()
                                : SymbolTable.parse(ex, jar.toString()).entries().stream().map(e -> e.symbol().toString()).toList();
                        byName.putIfAbsent(info.name(), new Entry(info.name(), jar, info, exports, dir.equals(bundled)));
                    } catch (SymversException e) {
                        problems.add(e.getMessage());
                    }
                }
            } catch (IOException e) {
                problems.add(dir + ": " + e.getMessage());
            }
        }
        return List.copyOf(byName.values());
    }

    /** The module with this name ('-' and '_' are the same) or, failing that, the first whose alias matches. */
    public Optional<Entry> find(String nameOrAlias) {
        List<Entry> all = scan(new ArrayList<>());
        String wanted = normalise(nameOrAlias);
        for (Entry e : all) {
            if (normalise(e.name()).equals(wanted)) {
                return Optional.of(e);
            }
        }
        for (Entry e : all) {
            for (String alias : e.info().all("alias")) {
                if (Fnmatch.matches(normaliseAlias(alias), normaliseAlias(nameOrAlias))) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    /** Reads a module's file. */
    public JarContents read(Entry entry) {
        return JarContents.read(entry.path());
    }

    /** Module names compare with '-' and '_' alike, as kmod does. */
    public static String normalise(String name) {
        return name.replace('-', '_');
    }

    /** Aliases too, except inside bracket expressions, where '-' is a range (kmod's alias_normalize). */
    public static String normaliseAlias(String alias) {
        StringBuilder sb = new StringBuilder(alias.length());
        boolean inBracket = false;
        for (char c : alias.toCharArray()) {
            if (c == '[') {
                inBracket = true;
            } else if (c == ']') {
                inBracket = false;
            }
            sb.append(c == '-' && !inBracket ? '_' : c);
        }
        return sb.toString();
    }
}
