package dev.jdm.kmod.modinfo;

import dev.jdm.kmod.KmodException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code modules.builtin.modinfo}: NUL-separated "modname.key=value" strings that the kernel
 * build writes for modules linked into vmlinux (read by libkmod-builtin.c).
 */
public final class BuiltinModInfo {
    private final Map<String, List<ModInfoEntry>> byModule;

    private BuiltinModInfo(Map<String, List<ModInfoEntry>> byModule) {
        this.byModule = byModule;
    }

    public static BuiltinModInfo read(Path file) throws KmodException {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new BuiltinModInfo(Map.of());
        } catch (IOException e) {
            throw KmodException.in(file, "cannot read: " + e.getMessage(), e);
        }
        Map<String, List<ModInfoEntry>> map = new LinkedHashMap<>();
        int i = 0;
        while (i < raw.length) {
            int j = i;
            while (j < raw.length && raw[j] != 0) {
                j++;
            }
            if (j > i) {
                String s = new String(raw, i, j - i, StandardCharsets.ISO_8859_1);
                int dot = s.indexOf('.');
                int eq = s.indexOf('=');
                if (dot > 0 && (eq < 0 || dot < eq)) {
                    map.computeIfAbsent(s.substring(0, dot), k -> new ArrayList<>())
                            .add(ModInfoEntry.parse(s.substring(dot + 1)));
                }
            }
            i = j + 1;
        }
        return new BuiltinModInfo(map);
    }

    public Optional<ModInfo> module(String name) {
        List<ModInfoEntry> e = byModule.get(name);
        return e == null ? Optional.empty() : Optional.of(new ModInfo(name, null, List.copyOf(e), Optional.empty()));
    }

    /** Module names in file order. */
    public List<String> names() {
        return List.copyOf(byModule.keySet());
    }
}
