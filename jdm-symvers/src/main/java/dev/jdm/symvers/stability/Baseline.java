package dev.jdm.symvers.stability;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The frozen symbol table of one released generation ({@code jdm-abi/baselines/JDM_1.0.symvers}):
 * every symbol with the fingerprint modules built against it carry, the generation that
 * introduced it, and its expanded definition, so that a later ABI can be compared fact by fact.
 *
 * <p>The text form is {@code Module.symvers}-like, one symbol per line, tab-separated:
 * {@code 0xFINGERPRINT  SYMBOL  SINCE  DEFINITION}, after two header lines
 * {@code #!generation JDM_1.0} and {@code #!format N} ({@link Fingerprinter#FORMAT}, the expansion
 * rules the fingerprints were computed with).
 */
public final class Baseline {
    /**
     * One released symbol.
     *
     * @param since the generation that introduced it
     */
    public record Row(Symbol symbol, long fingerprint, Generation since, Definition definition) {}

    private final Generation generation;
    private final int format;
    private final Map<Symbol, Row> rows;

    private Baseline(Generation generation, int format, Map<Symbol, Row> rows) {
        this.generation = generation;
        this.format = format;
        this.rows = rows;
    }

    /**
     * The table of an ABI build as generation {@code generation}.
     *
     * @param since the generation that introduced each symbol
     */
    public static Baseline of(AbiModel abi, Generation generation, Function<Symbol, Generation> since) {
        Fingerprinter fp = new Fingerprinter(abi.world());
        Map<Symbol, Row> rows = new TreeMap<>();
        for (Symbol s : abi.symbols()) {
            Definition d = fp.define(s);
            rows.put(s, new Row(s, d.fingerprint(), since.apply(s), d));
        }
        return new Baseline(generation, Fingerprinter.FORMAT, rows);
    }

    /**
     * Parses the text form.
     *
     * @throws SymversException naming the origin and line of anything malformed
     */
    public static Baseline parse(byte[] bytes, String origin) {
        Generation generation = null;
        int format = 0;
        Map<Symbol, Row> rows = new TreeMap<>();
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String where = origin + ": line " + (i + 1) + ": ";
            try {
                if (line.startsWith("#!generation ")) {
                    generation = Generation.parse(line.substring("#!generation ".length()));
                } else if (line.startsWith("#!format ")) {
                    format = Integer.parseInt(line.substring("#!format ".length()).strip());
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    String[] cols = line.split("\t", 4);
                    if (cols.length != 4) {
                        throw new SymversException("expected FINGERPRINT<TAB>SYMBOL<TAB>SINCE<TAB>DEFINITION");
                    }
                    Symbol s = Symbol.parse(cols[1]);
                    rows.put(s, new Row(s, Definition.parseHex(cols[0]), Generation.parse(cols[2]), Definition.decode(s, cols[3])));
                }
            } catch (SymversException | IllegalArgumentException e) {
                throw new SymversException(where + e.getMessage());
            }
        }
        if (generation == null || format <= 0) {
            throw new SymversException(origin + ": not an ABI baseline (no #!generation and #!format header lines)");
        }
        for (Row r : rows.values()) {
            if (r.since().isAfter(generation)) {
                throw new SymversException(origin + ": " + r.symbol() + " is since " + r.since() + ", after the baseline's own generation " + generation);
            }
        }
        return new Baseline(generation, format, rows);
    }

    /** The text form; {@link #parse} reads it back. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("# jdm ABI baseline of generation ").append(generation)
                .append(": frozen when released; never edit it (jdm abi release writes it)\n");
        sb.append("# FINGERPRINT\tSYMBOL\tSINCE\tDEFINITION (expanded, lines joined by \" | \")\n");
        sb.append("#!generation ").append(generation).append('\n');
        sb.append("#!format ").append(format).append('\n');
        for (Row r : rows.values()) {
            sb.append(Definition.hex(r.fingerprint())).append('\t').append(r.symbol()).append('\t')
                    .append(r.since()).append('\t').append(r.definition().encoded()).append('\n');
        }
        return sb.toString();
    }

    /** The generation this table freezes. */
    public Generation generation() {
        return generation;
    }

    /** The expansion rules its fingerprints were computed with ({@link Fingerprinter#FORMAT}). */
    public int fingerprintFormat() {
        return format;
    }

    /** The row of a symbol. */
    public Optional<Row> get(Symbol symbol) {
        return Optional.ofNullable(rows.get(symbol));
    }

    /** Every row, sorted by symbol. */
    public Collection<Row> rows() {
        return rows.values();
    }
}
