package dev.jdm.host.module;

import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.ModuleExports;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.stability.ReleasedAbi;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The host's symbol table: every ABI symbol with its fingerprint and generation, built from the
 * ABI's own class files at start, plus what loaded modules export.
 */
public final class ExportTable {
    /**
     * One exported symbol.
     *
     * @param provider {@link LinkTargets#ABI} or the exporting module
     * @param generation generation that introduced it
     */
    public record Export(Symbol symbol, long fingerprint, Definition definition, String provider, String generation) {}

    private final Map<Symbol, Export> exports = new ConcurrentSkipListMap<>();
    private final AbiModel abi;
    private final ReleasedAbi released;

    /**
     * Fingerprints the whole ABI.
     *
     * @throws dev.jdm.symvers.SymversException if the ABI's generation or released baselines are malformed
     */
    public ExportTable(AbiModel abi) {
        this.abi = abi;
        this.released = ReleasedAbi.of(abi);
        Fingerprinter fp = new Fingerprinter(abi.world());
        for (Symbol s : abi.symbols()) {
            Definition d = fp.define(s);
            String gen = generationOf(s);
            exports.put(s, new Export(s, d.fingerprint(), d, LinkTargets.ABI, gen));
        }
    }

    private String generationOf(Symbol s) {
        return released.since(s).toString();
    }

    /** The ABI served. */
    public AbiModel abi() {
        return abi;
    }

    /** The generations served: the current one, the released baselines, the revocations. */
    public ReleasedAbi released() {
        return released;
    }

    /** Adds a module's exports. */
    public void addModule(ModuleExports moduleExports) {
        moduleExports.definitions().forEach((s, d) ->
                exports.put(s, new Export(s, d.fingerprint(), d, moduleExports.module(), abi.generation())));
    }

    /** Removes a module's exports. */
    public void removeModule(String module) {
        exports.values().removeIf(e -> e.provider().equals(module));
    }

    /** The export of a symbol. */
    public Optional<Export> get(Symbol symbol) {
        return Optional.ofNullable(exports.get(symbol));
    }

    /** All exports, sorted by symbol. */
    public Collection<Export> all() {
        return exports.values();
    }
}
