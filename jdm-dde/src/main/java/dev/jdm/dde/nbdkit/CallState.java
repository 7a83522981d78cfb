package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * What one thread's current call into a plugin has to know, and what the plugin told the shim
 * while it ran: nbdkit keeps the same things thread-local ({@code nbdkit_set_error}, the export
 * name of the connection). Reset at the start of every call, so nothing leaks from one to the next.
 */
final class CallState {
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(PathElement.groupElement("errno"));
    private static final ThreadLocal<CallState> CURRENT = ThreadLocal.withInitial(CallState::new);

    /** Where the downcall leaves errno as it was when the plugin's callback returned. */
    final MemorySegment errnoCapture = Arena.ofAuto().allocate(CAPTURE);

    NbdkitPlugin plugin;
    MemorySegment exportName = MemorySegment.NULL;
    ExtentCollector extents;
    String lastError;
    int setError;

    private CallState() {}

    static CallState current() {
        return CURRENT.get();
    }

    /** Starts a call on this thread: clears what the previous call left. */
    static CallState begin(NbdkitPlugin plugin, MemorySegment exportName) {
        CallState s = CURRENT.get();
        s.plugin = plugin;
        s.exportName = exportName;
        s.extents = null;
        s.lastError = null;
        s.setError = 0;
        ERRNO.set(s.errnoCapture, 0L, 0);
        return s;
    }

    /**
     * The errno of a failed callback, by nbdkit's rule: {@code nbdkit_set_error} first, then errno
     * if the plugin declares {@code errno_is_preserved}, and EIO otherwise.
     */
    int failure(boolean errnoIsPreserved) {
        if (setError != 0) {
            return setError;
        }
        int errno = (int) ERRNO.get(errnoCapture, 0L);
        return errnoIsPreserved && errno != 0 ? errno : BlockStatus.EIO;
    }

}
