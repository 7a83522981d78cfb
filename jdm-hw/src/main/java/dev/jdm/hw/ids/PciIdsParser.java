package dev.jdm.hw.ids;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * pci.ids's syntax, as its header describes it and libpci reads it. Nesting is by leading tabs:
 *
 * <pre>
 * vendor  name                      C class  name
 * \tdevice  name                    \tsubclass  name
 * \t\tsubvendor subdevice  name     \t\tprog-if  name
 * </pre>
 *
 * {@code S vendor} opens a block of generic subsystems; any other capital letter and a space opens a
 * block reserved for the future, whose entries are skipped. Comments start with {@code #}. A line
 * out of place, an ID that is not hex of the right width, an entry with no name or one given twice
 * is an error naming the line: a database read half-right would name devices wrongly and quietly.
 */
final class PciIdsParser {
    private enum Block { NONE, VENDOR, CLASS, GENERIC, RESERVED }

    private final String source;
    private final Map<Integer, String> vendors = new HashMap<>();
    private final Map<Integer, String> devices = new HashMap<>();
    private final Map<Long, String> subsystems = new HashMap<>();
    private final Map<Integer, String> generic = new HashMap<>();
    private final Map<Integer, String> classes = new HashMap<>();
    private final Map<Integer, String> subclasses = new HashMap<>();
    private final Map<Integer, String> progIfs = new HashMap<>();

    private Block block = Block.NONE;
    private int top = -1;
    private int middle = -1;
    private int lineNo;

    PciIdsParser(String source) {
        this.source = source;
    }

    PciIds parse(BufferedReader reader) throws IOException {
        for (String line; (line = reader.readLine()) != null;) {
            lineNo++;
            entry(trimOne(line));
        }
        return new PciIds(vendors, devices, subsystems, generic, classes, subclasses, progIfs);
    }

    /** libpci drops one trailing blank, no more: a name keeps any others it was given. */
    private static String trimOne(String line) {
        int cr = line.indexOf('\r');
        String s = cr >= 0 ? line.substring(0, cr) : line;
        return !s.isEmpty() && (s.endsWith(" ") || s.endsWith("\t")) ? s.substring(0, s.length() - 1) : s;
    }

    private void entry(String line) {
        String content = line.stripLeading();
        if (content.isEmpty() || content.startsWith("#")) {
            return;
        }
        int nest = 0;
        while (nest < line.length() && line.charAt(nest) == '\t') {
            nest++;
        }
        String rest = line.substring(nest);
        switch (nest) {
            case 0 -> topLevel(rest);
            case 1 -> level1(rest);
            case 2 -> level2(rest);
            default -> throw error("nested " + nest + " tabs deep; entries nest at most two");
        }
    }

    private void topLevel(String s) {
        middle = -1;
        if (s.startsWith("C ")) {
            block = Block.CLASS;
            top = hex(s, 2, 2, "class");
            put(classes, top, name(s, 4), "class " + s.substring(2, 4));
        } else if (s.startsWith("S ")) {
            block = Block.GENERIC;
            top = hex(s, 2, 4, "subsystem vendor");
            if (s.length() > 6) {
                throw error("a generic subsystem block's line is 'S' and a vendor ID alone");
            }
        } else if (s.length() >= 2 && s.charAt(0) >= 'A' && s.charAt(0) <= 'Z' && s.charAt(1) == ' ') {
            block = Block.RESERVED;
        } else {
            block = Block.VENDOR;
            top = hex(s, 0, 4, "vendor");
            put(vendors, top, name(s, 4), "vendor " + s.substring(0, 4));
        }
    }

    private void level1(String s) {
        switch (block) {
            case VENDOR -> {
                middle = hex(s, 0, 4, "device");
                put(devices, top << 16 | middle, name(s, 4), "device " + s.substring(0, 4));
            }
            case CLASS -> {
                middle = hex(s, 0, 2, "subclass");
                put(subclasses, top << 8 | middle, name(s, 2), "subclass " + s.substring(0, 2));
            }
            case GENERIC -> put(generic, top << 16 | hex(s, 0, 4, "subsystem device"), name(s, 4), "generic subsystem " + s.substring(0, 4));
            case RESERVED -> { }
            case NONE -> throw error("an indented entry before any vendor or class");
        }
    }

    private void level2(String s) {
        if (block == Block.RESERVED) {
            return;
        }
        if (middle < 0) {
            throw error("a doubly indented entry outside a device or subclass");
        }
        if (block == Block.VENDOR) {
            int subVendor = hex(s, 0, 4, "subsystem vendor");
            int subDevice = hex(s, 5, 4, "subsystem device");
            put(subsystems, PciIds.subsystemKey(top, middle, subVendor, subDevice), name(s, 9), "subsystem " + s.substring(0, 9));
        } else {
            put(progIfs, top << 16 | middle << 8 | hex(s, 0, 2, "prog-if"), name(s, 2), "prog-if " + s.substring(0, 2));
        }
    }

    /** {@code width} hex digits at {@code at}, followed by a blank or the line's end. */
    private int hex(String s, int at, int width, String what) {
        int end = at + width;
        boolean ok = s.length() >= end && (s.length() == end || Character.isWhitespace(s.charAt(end)));
        for (int i = at; ok && i < end; i++) {
            ok = Character.digit(s.charAt(i), 16) >= 0;
        }
        if (!ok) {
            throw error("expected a " + what + " ID of " + width + " hex digits and a blank, found '" + s + "'");
        }
        return Integer.parseInt(s.substring(at, end), 16);
    }

    private String name(String s, int afterId) {
        String name = s.substring(afterId).stripLeading();
        if (name.isEmpty()) {
            throw error("'" + s.strip() + "' has no name after its ID");
        }
        return name;
    }

    private <K> void put(Map<K, String> map, K key, String name, String what) {
        if (map.putIfAbsent(key, name) != null) {
            throw error(what + " is named twice");
        }
    }

    private PciIdsFormatException error(String problem) {
        return new PciIdsFormatException(source, lineNo, problem);
    }
}
