package dev.jdm.hw.ids;

/** A line of pci.ids that is not in its syntax: the message names the file, the line and what was wrong. */
public final class PciIdsFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int line;

    PciIdsFormatException(String source, int line, String problem) {
        super(source + ", line " + line + ": " + problem);
        this.line = line;
    }

    /** The line at fault, from 1. */
    public int line() {
        return line;
    }
}
