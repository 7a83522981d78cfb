package dev.jdm.gate;

import dev.jdm.errno.Errno;
import java.util.Optional;

/**
 * A call that failed: the host refused it (an errno and its one line), or the gate could not be
 * reached or broke off (no errno).
 */
public final class GateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Errno errno;
    private final String errnoName;

    private GateException(Errno errno, String errnoName, String message) {
        super(message);
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The host refused the call with this error. */
    public static GateException refused(dev.jdm.gate.proto.Error error) {
        Errno e = Errno.ofName(error.getCode()).orElseGet(() -> Errno.ofNumber(error.getErrno()).orElse(null));
        return new GateException(e, error.getCode(), error.getMessage());
    }

    /** No host answered, or the connection broke. */
    public static GateException unreachable(String message) {
        return new GateException(null, "", message);
    }

    /** The host's errno, if the host refused the call (empty if the gate was unreachable). */
    public Optional<Errno> errno() {
        return Optional.ofNullable(errno);
    }

    /** The errno name as the host sent it (a newer host may send one this build lacks); empty if unreachable. */
    public String errnoName() {
        return errnoName;
    }

    /** Whether the host refused the call (rather than not answering). */
    public boolean refused() {
        return !errnoName.isEmpty();
    }
}
