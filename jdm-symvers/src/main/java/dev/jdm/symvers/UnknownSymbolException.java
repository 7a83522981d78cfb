package dev.jdm.symvers;

/** A symbol that the ABI (or the exporting module) does not have. */
public final class UnknownSymbolException extends SymversException {
    private static final long serialVersionUID = 1L;
    private final transient Symbol symbol;

    public UnknownSymbolException(Symbol symbol, String why) {
        super("Unknown symbol " + symbol + " (" + why + ")");
        this.symbol = symbol;
    }

    /** The symbol that was not found. */
    public Symbol symbol() {
        return symbol;
    }
}
