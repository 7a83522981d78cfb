package dev.jdm.abi.grant;

import dev.jdm.abi.Implemented;
import dev.jdm.abi.Since;
import java.lang.foreign.MemorySegment;

/**
 * What a module does with a {@link GrantedStream}'s bytes. Calls come from the host's reader of
 * that stream, one at a time and in the stream's order.
 */
@Implemented
@Since("JDM_1.2")
public interface StreamReceiver {
    /**
     * Bytes read, as one read(2) returned them (a record may be split between two calls); valid only
     * during the call.
     */
    void data(MemorySegment bytes);

    /**
     * The stream ended, and nothing follows: {@code error} is null at end of file (a file's end, a
     * FIFO whose writers have all gone), or the error that stopped the reading, naming the file.
     */
    void end(GrantException error);
}
