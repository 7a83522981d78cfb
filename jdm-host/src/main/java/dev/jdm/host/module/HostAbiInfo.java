package dev.jdm.host.module;

import dev.jdm.abi.AbiInfo;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import dev.jdm.symvers.stability.Generation;

/** {@link AbiInfo} over the host's export table: what modules probe before using something newer. */
final class HostAbiInfo implements AbiInfo {
    private final ExportTable exports;

    HostAbiInfo(ExportTable exports) {
        this.exports = exports;
    }

    @Override
    public String generation() {
        return exports.released().current().toString();
    }

    @Override
    public boolean serves(String generation) {
        try {
            return exports.released().serves(Generation.parse(generation));
        } catch (SymversException malformed) {
            return false;
        }
    }

    @Override
    public boolean exports(String symbol) {
        try {
            return exports.get(Symbol.parse(symbol)).filter(e -> e.provider().equals(LinkTargets.ABI)).isPresent();
        } catch (IllegalArgumentException | NullPointerException malformed) {
            return false;
        }
    }
}
