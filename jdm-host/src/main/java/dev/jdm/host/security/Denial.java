package dev.jdm.host.security;

import dev.jdm.errno.Errno;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.HostException;

/**
 * Why a check failed: the module whose reason is reported, chosen by a fixed precedence that does
 * not depend on registration order (as TrustedBSD's {@code mac_error_select} ranks errnos):
 * a module failure (threw, timed out, nonsense) first, then EACCES, then EPERM; among equals the
 * module name that sorts first, then the reason that sorts first.
 *
 * @param failure the module failed rather than voted
 */
record Denial(int errno, String module, String reason, boolean failure) {
    private int rank() {
        return failure ? 3 : errno == Vote.EACCES ? 2 : 1;
    }

    /** Whether this reason is reported over {@code other}. */
    boolean outranks(Denial other) {
        if (other == null) {
            return true;
        }
        int r = Integer.compare(rank(), other.rank());
        if (r != 0) {
            return r > 0;
        }
        int m = module.compareTo(other.module);
        return m != 0 ? m < 0 : reason.compareTo(other.reason) < 0;
    }

    Errno code() {
        return errno == Vote.EPERM ? Errno.EPERM : Errno.EACCES;
    }

    String errnoName() {
        return code().name();
    }
}
