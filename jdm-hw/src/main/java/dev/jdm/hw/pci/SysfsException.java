package dev.jdm.hw.pci;

import java.nio.file.Path;

/** A sysfs file that is missing, unreadable or not in the kernel's format; the message names it. */
public final class SysfsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    SysfsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
