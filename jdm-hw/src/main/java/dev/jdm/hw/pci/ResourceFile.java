package dev.jdm.hw.pci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * sysfs's {@code resource}: one line per window, {@code start end flags}, each {@code 0x} and 16 hex
 * digits (drivers/pci/pci-sysfs.c, resource_show).
 */
final class ResourceFile {
    private ResourceFile() {
    }

    static List<Bar> parse(Path file, String text) {
        List<Bar> bars = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].trim().split("\\s+");
            if (f.length != 3) {
                throw bad(file, i, lines[i]);
            }
            bars.add(new Bar(i, number(file, i, lines[i], f[0]), number(file, i, lines[i], f[1]), number(file, i, lines[i], f[2])));
        }
        return bars;
    }

    private static long number(Path file, int line, String text, String field) {
        if (!field.startsWith("0x") || field.length() < 3 || field.length() > 18) {
            throw bad(file, line, text);
        }
        try {
            return Long.parseUnsignedLong(field.substring(2), 16);
        } catch (NumberFormatException e) {
            throw bad(file, line, text);
        }
    }

    private static SysfsException bad(Path file, int line, String text) {
        return new SysfsException(file, "line " + (line + 1) + ": '" + text + "' is not 'start end flags' in 0x-prefixed hex");
    }
}
