package dev.jdm.symvers.stability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Symbols removed from the ABI because they were a security hazard ({@code jdm-abi/revoked.toml}),
 * the only reason a released symbol may go. A module importing one is refused with the advisory.
 *
 * <pre>
 * [[revoked]]
 * symbol = "dev.jdm.abi.Foo#bar()V"
 * generation = "JDM_1.2"          # the first generation without it
 * advisory = "JDM-SA-2027-001"
 * text = "bar() let any module ..."
 * </pre>
 */
public final class Revocations {
    /** One revoked symbol. */
    public record Revocation(Symbol symbol, Generation generation, String advisory, String text) {
        /** The refusal of a module that imports it, in one line. */
        public String refusal(String module) {
            return module + ": imports " + symbol + ", revoked in " + generation + " by advisory " + advisory + ": " + text;
        }
    }

    private static final Set<String> KEYS = Set.of("symbol", "generation", "advisory", "text");
    private static final Revocations NONE = new Revocations(Map.of());

    private final Map<Symbol, Revocation> bySymbol;

    private Revocations(Map<Symbol, Revocation> bySymbol) {
        this.bySymbol = bySymbol;
    }

    /** No revocations. */
    public static Revocations none() {
        return NONE;
    }

    /**
     * Parses the TOML form.
     *
     * @throws SymversException naming the origin, the entry and what is wrong with it
     */
    public static Revocations parse(byte[] toml, String origin) {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(new String(toml, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SymversException(origin + ": not valid TOML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<Symbol, Revocation> out = new TreeMap<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("revoked")) {
                throw new SymversException(origin + ": unknown key \"" + key + "\" (expected [[revoked]] tables)");
            }
        }
        JsonNode list = root.path("revoked");
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = origin + ": [[revoked]] #" + (i + 1) + ": ";
            for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!KEYS.contains(key)) {
                    throw new SymversException(where + "unknown key \"" + key + "\" (expected " + KEYS + ")");
                }
            }
            try {
                Revocation r = new Revocation(Symbol.parse(required(entry, "symbol", where)),
                        Generation.parse(required(entry, "generation", where)), required(entry, "advisory", where),
                        required(entry, "text", where));
                if (out.put(r.symbol(), r) != null) {
                    throw new SymversException("revokes " + r.symbol() + " twice");
                }
            } catch (IllegalArgumentException | SymversException e) {
                throw new SymversException(e.getMessage().startsWith(origin) ? e.getMessage() : where + e.getMessage());
            }
        }
        return new Revocations(out);
    }

    private static String required(JsonNode entry, String key, String where) {
        JsonNode v = entry.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new SymversException(where + "\"" + key + "\" is missing or not a string");
        }
        return v.asText();
    }

    /** The revocation of a symbol, if it is revoked. */
    public Optional<Revocation> get(Symbol symbol) {
        return Optional.ofNullable(bySymbol.get(symbol));
    }

    /** Every revocation, sorted by symbol. */
    public Collection<Revocation> all() {
        return bySymbol.values();
    }
}
