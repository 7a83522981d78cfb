package dev.jdm.kmod.depmod;

import dev.jdm.kmod.KmodException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * depmod.d configuration: {@code search} and {@code override} lines, read from the same places
 * as kmod's depmod (or the paths given with {@code -C}). Like kmod, each search entry is
 * pushed to the front of the list, so a larger index means a higher priority.
 */
public final class DepmodConfig {
    static final String BUILTIN = "built-in";
    private static final List<Path> DEFAULT_PATHS = List.of(Path.of("/run/depmod.d"), Path.of("/etc/depmod.d"),
            Path.of("/lib/depmod.d"));

    /** Search entries, most recently added first (kmod's linked list order); null path = built-in. */
    final List<String> searches = new ArrayList<>();
    /** "subdir/modname" overrides, most recently added first. */
    final List<String> overrides = new ArrayList<>();

    public static DepmodConfig load(List<Path> paths, String kernelRelease) throws KmodException {
        DepmodConfig cfg = new DepmodConfig();
        // Files sorted by name across all directories; a name seen first wins (cfg_files_insert_sorted).
        TreeMap<String, Path> files = new TreeMap<>();
        for (Path p : paths == null ? DEFAULT_PATHS : paths) {
            if (Files.isRegularFile(p)) {
                files.putIfAbsent(p.getFileName().toString(), p);
            } else if (Files.isDirectory(p)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, "*.conf")) {
                    for (Path f : ds) {
                        if (!f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                            files.putIfAbsent(f.getFileName().toString(), f);
                        }
                    }
                } catch (IOException e) {
                    throw KmodException.in(p, "cannot list configuration: " + e.getMessage(), e);
                }
            }
        }
        for (Path f : files.values()) {
            cfg.parse(f, kernelRelease);
        }
        if (cfg.searches.isEmpty()) {
            cfg.searches.add(0, "updates");
        }
        return cfg;
    }

    private void parse(Path file, String kernelRelease) throws KmodException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw KmodException.in(file, "cannot read: " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] t = line.strip().split("[\t ]+");
            if (t.length == 0 || t[0].isEmpty() || t[0].startsWith("#")) {
                continue;
            }
            if (t[0].equals("search")) {
                for (int i = 1; i < t.length; i++) {
                    searches.add(0, t[i].equals(BUILTIN) ? null : t[i]);
                }
            } else if (t[0].equals("override") && t.length >= 4) {
                if (t[2].equals("*") || kernelRelease.matches(".*(" + t[2] + ").*")) {
                    overrides.add(0, t[3] + "/" + t[1]);
                }
            }
        }
    }

    /**
     * depmod_module_is_higher_priority: true if the module already found ({@code oldRel})
     * beats {@code newRel}. Both are paths relative to the module directory without the
     * extension-independent tail beyond the module name.
     */
    boolean existingWins(String oldRel, String oldName, String newRel, String newName) {
        // kmod compares "dir/" plus as many file-name characters as the module name has.
        String oldKey = oldRel.substring(0, oldRel.lastIndexOf('/') + 1 + oldName.length());
        String newKey = newRel.substring(0, newRel.lastIndexOf('/') + 1 + newName.length());
        for (String ov : overrides) {
            if (ov.equals(newKey)) {
                return false;
            }
            if (ov.equals(oldKey)) {
                return true;
            }
        }
        int bprio = -1;
        int oldprio = -1;
        int newprio = -1;
        for (int i = 0; i < searches.size(); i++) {
            String se = searches.get(i);
            if (se == null) {
                bprio = i;
            } else if (newRel.startsWith(se + "/")) {
                newprio = i;
            } else if (oldRel.startsWith(se + "/")) {
                oldprio = i;
            }
        }
        if (newprio < 0) {
            newprio = bprio;
        }
        if (oldprio < 0) {
            oldprio = bprio;
        }
        return newprio <= oldprio;
    }
}
