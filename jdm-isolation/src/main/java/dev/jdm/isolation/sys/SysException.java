package dev.jdm.isolation.sys;

import dev.jdm.errno.Errno;
import java.io.IOException;

/** A system call that failed: names the call and its errno, e.g. {@code open(/etc/shadow) failed: EACCES (Permission denied)}. */
public final class SysException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final int errno;

    public SysException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call and its main argument, as in the message. */
    public String call() {
        return call;
    }

    /** The errno value. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, {@code EACCES}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
