package dev.jdm.symvers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A module's self-description ({@code META-INF/jdm/modinfo}): {@code key=value} lines in order,
 * keys may repeat, as in a Linux module's {@code .modinfo} section.
 */
public final class ModInfo {
    /** Keys every module must have. */
    public static final List<String> REQUIRED = List.of("name", "license", "abi", "entry");
    /** Longest modinfo accepted. */
    public static final int MAX_BYTES = 64 * 1024;

    private final List<Map.Entry<String, String>> entries;

    private ModInfo(List<Map.Entry<String, String>> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A modinfo with these entries, in order. */
    public static ModInfo of(List<Map.Entry<String, String>> entries) {
        for (var e : entries) {
            if (e.getKey().isEmpty() || e.getKey().contains("=") || e.getKey().contains("\n") || e.getValue().contains("\n")) {
                throw new SymversException("modinfo entry cannot be written: " + e.getKey() + "=" + e.getValue());
            }
        }
        return new ModInfo(entries);
    }

    /**
     * Parses and validates the text form.
     *
     * @throws SymversException naming {@code origin}, the line and the problem
     */
    public static ModInfo parse(byte[] bytes, String origin) {
        if (bytes.length > MAX_BYTES) {
            throw new SymversException(origin + ": modinfo is larger than " + MAX_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0 || text.indexOf('\uFFFD') >= 0) {
            throw new SymversException(origin + ": modinfo is not UTF-8 text");
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new SymversException(origin + ": modinfo line " + (i + 1) + ": expected key=value, found \"" + abbreviate(line) + "\"");
            }
            entries.add(Map.entry(line.substring(0, eq), line.substring(eq + 1)));
        }
        ModInfo info = new ModInfo(entries);
        for (String key : REQUIRED) {
            if (info.first(key).isEmpty() || info.first(key).get().isBlank()) {
                throw new SymversException(origin + ": modinfo has no " + key + "=");
            }
        }
        String name = info.name();
        if (!isModuleName(name)) {
            throw new SymversException(origin + ": modinfo name=" + abbreviate(name)
                    + " is not a module name (lower case letters, digits, '-' and '_', at most 64)");
        }
        return info;
    }

    /** Whether {@code name} may name a module: lower case letters, digits, '-' and '_', at most 64. */
    public static boolean isModuleName(String name) {
        return name != null && name.matches("[a-z0-9][a-z0-9_-]{0,63}");
    }

    /**
     * The same modinfo under another name, as {@code modprobe -o} loads a second instance of a
     * module: every other line stays, so the linker checks the same imports.
     */
    public ModInfo withName(String name) {
        if (!isModuleName(name)) {
            throw new IllegalArgumentException("\"" + abbreviate(String.valueOf(name))
                    + "\" is not a module name (lower case letters, digits, '-' and '_', at most 64)");
        }
        List<Map.Entry<String, String>> renamed = new ArrayList<>();
        for (Map.Entry<String, String> e : entries) {
            renamed.add(e.getKey().equals("name") ? Map.entry("name", name) : e);
        }
        return new ModInfo(renamed);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** All values of a key, in order. */
    public List<String> all(String key) {
        return entries.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).toList();
    }

    /** The first value of a key. */
    public Optional<String> first(String key) {
        return entries.stream().filter(e -> e.getKey().equals(key)).map(Map.Entry::getValue).findFirst();
    }

    /** The module name. */
    public String name() {
        return first("name").orElseThrow();
    }

    /** Whether the module declares native code ({@code native=y}): it runs only where the kernel confines it, or the operator allows it. */
    public boolean declaresNativeCode() {
        return first("native").map("y"::equals).orElse(false);
    }

    /** Names of the modules this one depends on, from {@code depends=}. */
    public List<String> depends() {
        return first("depends").filter(s -> !s.isBlank()).map(s -> List.of(s.split(","))).orElse(List.of());
    }

    /** All entries, in order. */
    public List<Map.Entry<String, String>> entries() {
        return entries;
    }

    /** The text form. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
        return sb.toString();
    }
}
