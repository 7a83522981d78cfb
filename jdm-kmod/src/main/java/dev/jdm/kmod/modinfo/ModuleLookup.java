package dev.jdm.kmod.modinfo;

import dev.jdm.kmod.KmodException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves a module name or alias inside {@code /lib/modules/KVER} the way modinfo does:
 * a module of that name (modules.dep), then a built-in module (modules.builtin.modinfo),
 * then aliases (modules.alias, whose keys are fnmatch patterns).
 */
public final class ModuleLookup {
    private final Path moduleDir;

    public ModuleLookup(Path moduleDir) {
        this.moduleDir = moduleDir;
    }

    /** Module directory for a base dir and kernel release: {@code BASE/lib/modules/KVER}. */
    public static Path moduleDir(String baseDir, String kernelRelease) {
        return Path.of((baseDir == null ? "" : baseDir) + "/lib/modules/" + kernelRelease);
    }

    /** The ModInfo of every module the name resolves to; empty if none. */
    public List<ModInfo> lookup(String nameOrAlias) throws KmodException {
        String name = ModuleNames.normalizeAlias(nameOrAlias);
        if (name == null) {
            return List.of();
        }
        List<String> depLines = lines("modules.dep");
        Path byName = findInDep(depLines, name);
        if (byName != null) {
            return List.of(ModInfo.read(byName));
        }
        // Like libkmod, only modules listed in modules.builtin count as built-in; their
        // information then comes from modules.builtin.modinfo.
        if (lines("modules.builtin").stream().anyMatch(l -> ModuleNames.fromPath(l).equals(name))) {
            var builtin = BuiltinModInfo.read(moduleDir.resolve("modules.builtin.modinfo")).module(name);
            return List.of(builtin.orElse(new ModInfo(name, null, List.of(), java.util.Optional.empty())));
        }
        Set<String> modules = new LinkedHashSet<>();
        for (String line : lines("modules.alias")) {
            String[] f = line.split(" ");
            if (f.length == 3 && f[0].equals("alias") && glob(ModuleNames.normalizeAlias(f[1])).matcher(name).matches()) {
                modules.add(f[2]);
            }
        }
        List<ModInfo> out = new ArrayList<>();
        for (String m : modules) {
            Path p = findInDep(depLines, m);
            if (p != null) {
                out.add(ModInfo.read(p));
            }
        }
        return out;
    }

    private Path findInDep(List<String> depLines, String name) {
        for (String line : depLines) {
            int colon = line.indexOf(':');
            if (colon > 0 && ModuleNames.fromPath(line.substring(0, colon)).equals(name)) {
                String rel = line.substring(0, colon);
                return rel.startsWith("/") ? Path.of(rel) : moduleDir.resolve(rel);
            }
        }
        return null;
    }

    private List<String> lines(String file) throws KmodException {
        Path p = moduleDir.resolve(file);
        try {
            return Files.readAllLines(p, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw KmodException.in(p, "cannot read: " + e.getMessage(), e);
        }
    }

    /** fnmatch(3) without flags: '*', '?', and bracket expressions. */
    static Pattern glob(String pattern) {
        if (pattern == null) {
            return Pattern.compile("(?!)");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int close = pattern.indexOf(']', i + 2);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String body = pattern.substring(i + 1, close);
                        if (body.startsWith("!")) {
                            body = "^" + body.substring(1);
                        }
                        re.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
