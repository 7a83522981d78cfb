package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * An append-only log file that the host grants a module (under the host's state directory). The
 * module never learns or opens a path; the host rotates the file by size.
 */
@Provided
public interface LogSink {
    /**
     * Appends one line (the host adds the newline).
     *
     * @throws IllegalArgumentException if the line contains a line break or exceeds 64 KiB
     * @throws IllegalStateException if the sink is closed or the file cannot be written
     */
    void append(String line);

    /** Bytes in the current file. */
    long size();
}
