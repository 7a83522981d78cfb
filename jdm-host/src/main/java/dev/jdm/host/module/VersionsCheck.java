package dev.jdm.host.module;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.ModuleScanner;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.stability.Baseline;
import dev.jdm.symvers.stability.Compatibility;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Step 4 of linking: every import the rescan found, and every ABI row of the module's versions
 * table, against the host's export table. The rescan says what is used; the table says what the
 * module was built against. A table row the rescan cannot find is a claim checked all the same:
 * an override of a hook whose shape changed no longer matches anything in the host's ABI, and
 * would otherwise never be called.
 */
final class VersionsCheck {
    /**
     * What the check counted.
     *
     * @param compatible imports whose definition differs from the host's in ways that cannot break this module
     */
    record Counts(int mismatches, int fromBaseline, int optionalMissing, int compatible) {}

    private final String module;
    private final SymbolTable versions;
    private final ExportTable exports;
    private final Optional<Baseline> baseline;
    private final boolean force;
    private final Consumer<String> warn;
    private int mismatches;
    private int fromBaseline;
    private int compatible;
    private Compatibility.ModuleUse use = Compatibility.ANY;

    /** @param baseline the released table of the generation the module was built for, if released */
    VersionsCheck(String module, SymbolTable versions, ExportTable exports, Optional<Baseline> baseline, boolean force, Consumer<String> warn) {
        this.module = module;
        this.versions = versions;
        this.exports = exports;
        this.baseline = baseline;
        this.force = force;
        this.warn = warn;
    }

    /**
     * @param optional whether the module was built against a newer generation than the host's and
     *     states an older minimum: table rows the host lacks are then its optional imports
     */
    Counts check(ModuleScanner scanner, ModuleScanner.Result scan, boolean optional) {
        boolean constantsListed = versions.constantsListed();
        use = new Compatibility.ModuleUse() {
            @Override
            public boolean implementsMethod(String type, String nameAndDescriptor) {
                return scanner.implementsMethod(type, nameAndDescriptor);
            }

            @Override
            public boolean listsInlinedConstants() {
                return constantsListed;
            }
        };
        int optionalMissing = 0;
        for (var e : scan.imports().entrySet()) {
            Symbol symbol = e.getKey();
            Optional<SymbolTable.Entry> built = versions.get(symbol);
            ExportTable.Export host = exports.get(symbol).orElseThrow(() -> new HostException(Errno.ENOEXEC,
                    module + ": Unknown symbol " + symbol + " (no export of it is loaded)"));
            if (built.isEmpty() && scan.overrides().contains(symbol)) {
                continue; // built before overrides were recorded; the rescan found the hook it overrides in this host
            }
            Optional<SymbolTable.Entry> asNamed = built.isPresent() ? Optional.empty()
                    : scan.referencedAs().getOrDefault(symbol, java.util.Set.of()).stream().map(versions::get).flatMap(Optional::stream).findFirst();
            if (asNamed.isPresent()) {
                compareMoved(symbol, asNamed.get(), host);
                continue;
            }
            compare(symbol, built.orElseThrow(() -> new HostException(Errno.ENOEXEC, module + ": the versions table does not list "
                    + symbol + ", which " + scan.sites().get(symbol) + " uses; the table is stale or edited, rebuild the module with modpost")), host);
        }
        java.util.Set<Symbol> named = new java.util.HashSet<>();
        scan.referencedAs().values().forEach(named::addAll);
        for (SymbolTable.Entry row : versions.entries()) {
            if (!row.provider().equals(LinkTargets.ABI) || scan.imports().containsKey(row.symbol()) || named.contains(row.symbol())) {
                continue; // checked above, as the rescan resolved it
            }
            Optional<ExportTable.Export> host = exports.get(row.symbol());
            if (host.isPresent()) {
                compare(row.symbol(), row, host.get());
            } else if (optional) {
                optionalMissing++;
            } else {
                throw new HostException(Errno.ENOEXEC, module + ": was built against " + row.symbol() + ", which this host does not have;"
                        + " if the module overrides it, the override would never be called; rebuild the module against this host's jdm-abi");
            }
        }
        return new Counts(mismatches, fromBaseline, optionalMissing, compatible);
    }

    /** A member the module was built calling on one class that this host declares on a supertype of it. */
    private void compareMoved(Symbol symbol, SymbolTable.Entry built, ExportTable.Export host) {
        Optional<String> breaks = Compatibility.breaksMoved(built.definition(), host.definition(), use, versions.fingerprintFormat());
        if (breaks.isEmpty()) {
            compatible++;
            return;
        }
        String message = module + ": " + built.symbol() + " now resolves to " + symbol + ", which changed: " + breaks.get();
        if (!force) {
            throw new HostException(Errno.ENOEXEC, message);
        }
        warn.accept(message + " [forced]");
        mismatches++;
    }

    private void compare(Symbol symbol, SymbolTable.Entry built, ExportTable.Export host) {
        // a table written by older expansion rules is compared with the host's definition as those rules write it
        int format = versions.fingerprintFormat();
        long hostFingerprint = format == Fingerprinter.FORMAT ? host.fingerprint() : host.definition().inFormat(format).fingerprint();
        if (built.fingerprint() == hostFingerprint) {
            return;
        }
        if (host.provider().equals(LinkTargets.ABI)
                && baseline.flatMap(b -> b.get(symbol)).filter(row -> row.fingerprint() == built.fingerprint()).isPresent()) {
            fromBaseline++; // built against the released definition; releases keep serving it
            return;
        }
        Optional<String> breaks = Compatibility.breaks(built.definition(), host.definition(), use, format);
        if (breaks.isEmpty()) {
            compatible++; // the definitions differ only in facts this module cannot depend on
            return;
        }
        String message = module + ": disagrees about version of symbol " + symbol + " (module " + Definition.hex(built.fingerprint())
                + ", host " + Definition.hex(hostFingerprint) + "): " + breaks.get();
        if (!force) {
            throw new HostException(Errno.ENOEXEC, message);
        }
        warn.accept(message + " [forced]");
        mismatches++;
    }
}
