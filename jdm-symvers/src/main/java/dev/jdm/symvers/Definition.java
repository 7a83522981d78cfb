package dev.jdm.symvers;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The canonical expanded definition of a symbol: the text its fingerprint hashes. One fact per
 * line, so two definitions can be compared line by line to say what changed.
 *
 * @param symbol the symbol defined
 * @param lines canonical lines, in canonical order
 */
public record Definition(Symbol symbol, List<String> lines) {
    /** Format 2: a type's superclass. */
    public static final String EXTENDS = "  extends ";
    /** Format 2: one of a type's superinterfaces. */
    public static final String IMPLEMENTS = "  implements ";
    /** Format 2: an enum constant's ordinal. */
    public static final String ORDINAL = "  ordinal ";

    /**
     * The definition as the expansion rules of {@code format} write it: format 1 lacks the
     * hierarchy and ordinal lines that format 2 appends, and is otherwise the same.
     */
    public Definition inFormat(int format) {
        if (format >= 2) {
            return this;
        }
        return new Definition(symbol, lines.stream()
                .filter(l -> !l.startsWith(EXTENDS) && !l.startsWith(IMPLEMENTS) && !l.startsWith(ORDINAL)).toList());
    }

    /** The 64-bit fingerprint: the first eight bytes of SHA-256 over the lines joined by newlines. */
    public long fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (digest[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** The lines joined by newlines. */
    public String text() {
        return String.join("\n", lines);
    }

    /** The definition as one line, for tables: lines joined by {@code " | "} with '|' and '\' escaped. */
    public String encoded() {
        List<String> escaped = new ArrayList<>();
        for (String line : lines) {
            escaped.add(line.replace("\\", "\\\\").replace("|", "\\p"));
        }
        return String.join(" | ", escaped);
    }

    /** Reverses {@link #encoded()}. */
    public static Definition decode(Symbol symbol, String encoded) {
        List<String> lines = new ArrayList<>();
        if (!encoded.isEmpty()) {
            for (String part : encoded.split(" \\| ", -1)) {
                lines.add(part.replace("\\p", "|").replace("\\\\", "\\"));
            }
        }
        return new Definition(symbol, List.copyOf(lines));
    }

    /**
     * What differs between the definition a module was built against ({@code this}) and the one
     * the host has, in words: which lines the host lacks and which it adds.
     */
    public String explainAgainst(Definition host) {
        var expected = new LinkedHashSet<>(lines);
        var found = new LinkedHashSet<>(host.lines());
        List<String> missing = new ArrayList<>();
        List<String> added = new ArrayList<>();
        for (String l : expected) {
            if (!found.contains(l)) {
                missing.add(l.strip());
            }
        }
        for (String l : found) {
            if (!expected.contains(l)) {
                added.add(l.strip());
            }
        }
        if (missing.isEmpty() && added.isEmpty()) {
            return "same definition, different hash (fingerprint table corrupt?)";
        }
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) {
            sb.append("module expects [").append(String.join("; ", missing)).append("]");
        }
        if (!added.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : ", ").append("host has [").append(String.join("; ", added)).append("]");
        }
        return sb.toString();
    }

    /** Fingerprint as text: {@code 0x} and 16 hex digits. */
    public static String hex(long fingerprint) {
        return String.format("0x%016x", fingerprint);
    }

    /** Parses {@link #hex(long)}. */
    public static long parseHex(String text) {
        String t = text.startsWith("0x") ? text.substring(2) : text;
        if (t.isEmpty() || t.length() > 16) {
            throw new SymversException("not a fingerprint: " + text);
        }
        try {
            return Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            throw new SymversException("not a fingerprint: " + text);
        }
    }
}
