package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.util.List;

/**
 * The host's log ring, read-only ({@link CharLayer#hostLog()}): what a device streaming it (kmsg)
 * needs, and no more. Who may read it is decided when its node is opened.
 */
@Provided
@Since("JDM_1.2")
public interface HostLog {
    /** The sequence number the next record will get. */
    long nextSeq();

    /** Up to {@code max} records with sequence numbers from {@code seq} on that are still in the ring, oldest first. */
    List<LogLine> since(long seq, int max);

    /**
     * Calls {@code onAppend} after each record is appended, until the module unloads. It runs on
     * the appending thread, so it must only note the fact ({@link CharDevice#wake()}).
     */
    void subscribe(Runnable onAppend);
}
