package dev.jdm.drivers.devacl;

import dev.jdm.abi.sec.PolicyException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of TOML 1.0 a policy needs: comments, {@code key = value} with bare or quoted keys,
 * {@code [[table]]} arrays of tables, basic and literal strings, integers, booleans and arrays
 * (which may span lines). Anything else is refused with its line and column, never skipped.
 */
final class Toml {
    /** A value with where it started and where its key started (the same for array elements). */
    record Value(Object value, int line, int column, int keyLine, int keyColumn) {
        Value(Object value, int line, int column) {
            this(value, line, column, line, column);
        }
    }

    /** The document: top-level keys, and each {@code [[name]]} table in order. */
    record Document(Map<String, Value> top, Map<String, List<Map<String, Value>>> tables) {}

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Toml(String text) {
        this.text = text;
    }

    static Document parse(String text) {
        return new Toml(text).document();
    }

    private PolicyException error(String message) {
        return new PolicyException(line, pos - lineStart + 1, message);
    }

    private Document document() {
        Map<String, Value> top = new LinkedHashMap<>();
        Map<String, List<Map<String, Value>>> tables = new LinkedHashMap<>();
        Map<String, Value> current = top;
        while (true) {
            skipBlank();
            if (pos >= text.length()) {
                return new Document(top, tables);
            }
            char c = text.charAt(pos);
            if (c == '[') {
                if (!text.startsWith("[[", pos)) {
                    throw error("only [[table]] arrays of tables are supported");
                }
                pos += 2;
                skipSpaces();
                String name = key();
                skipSpaces();
                if (!text.startsWith("]]", pos)) {
                    throw error("expected ']]' to close the table header");
                }
                pos += 2;
                current = new LinkedHashMap<>();
                tables.computeIfAbsent(name, k -> new ArrayList<>()).add(current);
            } else {
                int keyLine = line;
                int keyColumn = pos - lineStart + 1;
                String key = key();
                skipSpaces();
                if (pos >= text.length() || text.charAt(pos) != '=') {
                    throw error("expected '=' after key " + key);
                }
                pos++;
                skipSpaces();
                Value v = value();
                if (current.containsKey(key)) {
                    throw new PolicyException(keyLine, keyColumn, "key " + key + " is defined twice");
                }
                current.put(key, new Value(v.value(), v.line(), v.column(), keyLine, keyColumn));
            }
            endOfLine();
        }
    }

    private String key() {
        if (pos < text.length() && (text.charAt(pos) == '"' || text.charAt(pos) == '\'')) {
            return (String) value().value();
        }
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == '-')) {
            pos++;
        }
        if (start == pos) {
            throw error(pos >= text.length() ? "expected a key at the end of the text" : "expected a key, found '" + text.charAt(pos) + "'");
        }
        return text.substring(start, pos);
    }

    private Value value() {
        int l = line;
        int col = pos - lineStart + 1;
        if (pos >= text.length()) {
            throw error("expected a value at the end of the text");
        }
        char c = text.charAt(pos);
        Object v;
        if (c == '"') {
            v = basicString();
        } else if (c == '\'') {
            int end = text.indexOf('\'', pos + 1);
            int nl = text.indexOf('\n', pos + 1);
            if (end < 0 || nl >= 0 && nl < end) {
                throw error("unterminated literal string");
            }
            v = text.substring(pos + 1, end);
            pos = end + 1;
        } else if (c == '[') {
            v = array();
        } else if (text.startsWith("true", pos) || text.startsWith("false", pos)) {
            boolean b = text.startsWith("true", pos);
            pos += b ? 4 : 5;
            v = b;
        } else if (c == '-' || c == '+' || Character.isDigit(c)) {
            v = integer();
        } else {
            throw error("expected a value (string, integer, boolean or array), found '" + c + "'");
        }
        return new Value(v, l, col);
    }

    private String basicString() {
        StringBuilder b = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("\\u needs four hex digits");
                    }
                    try {
                        b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("\\u needs four hex digits");
                    }
                    pos += 4;
                }
                default -> {
                    pos--;
                    throw error("unknown escape \\" + e);
                }
            }
        }
    }

    private Long integer() {
        int start = pos;
        if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
            pos++;
        }
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String s = text.substring(start, pos).replace("_", "");
        try {
            if (s.startsWith("0o")) {
                return Long.parseLong(s.substring(2), 8);
            }
            if (s.startsWith("0x")) {
                return Long.parseLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("not an integer: " + text.substring(start, Math.min(text.length(), start + 20)).strip());
        }
    }

    private List<Value> array() {
        List<Value> out = new ArrayList<>();
        pos++;
        while (true) {
            skipBlank();
            if (pos >= text.length()) {
                throw error("unterminated array");
            }
            if (text.charAt(pos) == ']') {
                pos++;
                return out;
            }
            out.add(value());
            skipBlank();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
            } else if (pos >= text.length() || text.charAt(pos) != ']') {
                throw error("expected ',' or ']' in array");
            }
        }
    }

    /** Spaces and tabs. */
    private void skipSpaces() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** Whitespace, newlines and comments. */
    private void skipBlank() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** After a key/value pair or a header only a comment may follow on the line. */
    private void endOfLine() {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == '#') {
            return;
        }
        if (pos < text.length() && text.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) != '\n') {
            throw error("expected the end of the line, found '" + text.charAt(pos) + "'");
        }
    }
}
