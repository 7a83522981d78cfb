package dev.jdm.symvers;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A table of symbols with fingerprints, the format of {@code META-INF/jdm/versions} (what a module
 * imports) and {@code META-INF/jdm/exports} (what it exports). One symbol per line, tab-separated
 * like {@code Module.symvers}: {@code 0xFINGERPRINT  SYMBOL  PROVIDER  DEFINITION}. The definition
 * column carries the expanded definition so a mismatch can be explained; the fingerprint is what
 * is checked.
 */
public final class SymbolTable {
    /** Longest table accepted. */
    public static final int MAX_BYTES = 16 << 20;

    /**
     * One row.
     *
     * @param provider {@link LinkTargets#ABI} or the exporting module
     */
    public record Entry(Symbol symbol, long fingerprint, String provider, Definition definition) {}

    private static final String FORMAT_LINE = "#!format ";
    private static final String CONSTANTS_LINE = "#!constants listed";

    private final Map<Symbol, Entry> entries;
    private final int fingerprintFormat;
    private final boolean constantsListed;

    private SymbolTable(Map<Symbol, Entry> entries, int fingerprintFormat, boolean constantsListed) {
        this.entries = entries;
        this.fingerprintFormat = fingerprintFormat;
        this.constantsListed = constantsListed;
    }

    /** A table of these rows, fingerprinted by today's rules. */
    public static SymbolTable of(Collection<Entry> rows) {
        return of(rows, false);
    }

    /**
     * A table of these rows, fingerprinted by today's rules.
     *
     * @param constantsListed the rows include every ABI constant the module may have inlined
     */
    public static SymbolTable of(Collection<Entry> rows, boolean constantsListed) {
        Map<Symbol, Entry> map = new TreeMap<>();
        rows.forEach(e -> map.put(e.symbol(), e));
        return new SymbolTable(map, Fingerprinter.FORMAT, constantsListed);
    }

    /**
     * Whether the rows include every ABI constant the module may have inlined (modpost saw its
     * sources), so that a changed constant it does not list cannot be in its bytecode.
     */
    public boolean constantsListed() {
        return constantsListed;
    }

    /**
     * The expansion rules its fingerprints were computed with: the {@code #!format N} line, or 1
     * for tables written before formats were recorded.
     */
    public int fingerprintFormat() {
        return fingerprintFormat;
    }

    /**
     * Parses the text form.
     *
     * @throws SymversException naming the origin and line of a malformed row
     */
    public static SymbolTable parse(byte[] bytes, String origin) {
        if (bytes.length > MAX_BYTES) {
            throw new SymversException(origin + ": larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        Map<Symbol, Entry> map = new TreeMap<>();
        int format = 1;
        boolean constants = false;
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(FORMAT_LINE)) {
                try {
                    format = Integer.parseInt(line.substring(FORMAT_LINE.length()).strip());
                } catch (NumberFormatException e) {
                    throw new SymversException(origin + ": line " + (i + 1) + ": not a format number: " + line);
                }
                if (format < 1 || format > Fingerprinter.FORMAT) {
                    throw new SymversException(origin + ": fingerprint format " + format + " is newer than this jdm's ("
                            + Fingerprinter.FORMAT + "); use a newer host");
                }
                continue;
            }
            if (line.equals(CONSTANTS_LINE)) {
                constants = true;
                continue;
            }
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t", 4);
            if (cols.length < 3) {
                throw new SymversException(origin + ": line " + (i + 1) + ": expected FINGERPRINT<TAB>SYMBOL<TAB>PROVIDER");
            }
            try {
                Symbol s = Symbol.parse(cols[1]);
                long fp = Definition.parseHex(cols[0]);
                Definition def = Definition.decode(s, cols.length > 3 ? cols[3] : "");
                map.put(s, new Entry(s, fp, cols[2], def));
            } catch (IllegalArgumentException | SymversException e) {
                throw new SymversException(origin + ": line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new SymbolTable(map, format, constants);
    }

    /** The row of a symbol. */
    public Optional<Entry> get(Symbol symbol) {
        return Optional.ofNullable(entries.get(symbol));
    }

    /** All rows, sorted by symbol. */
    public Collection<Entry> entries() {
        return entries.values();
    }

    /** Number of rows. */
    public int size() {
        return entries.size();
    }

    /** The text form. */
    public String format() {
        StringBuilder sb = new StringBuilder(FORMAT_LINE + fingerprintFormat + "\n" + (constantsListed ? CONSTANTS_LINE + "\n" : ""));
        for (Entry e : entries.values()) {
            sb.append(Definition.hex(e.fingerprint())).append('\t').append(e.symbol()).append('\t')
                    .append(e.provider()).append('\t').append(e.definition().encoded()).append('\n');
        }
        return sb.toString();
    }
}
