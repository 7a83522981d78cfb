package dev.jdm.host.domain;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;

/**
 * Where a forwarded node's operations go ({@link DomainChr}: the domain's process), as the host's
 * proxies ({@link ForwardedDriver}, {@link ForwardedFile}) use it; a test answers for a domain.
 */
interface ChrPeer {
    /** An answer: a count, handle, mask or position, or -errno, with a message and data. */
    record Done(long value, String message, byte[] data) {}

    /**
     * Sends one operation and waits for its answer.
     *
     * @throws HostException EIO if nothing serves the node or it does not answer
     */
    Done op(String module, String node, int op, long file, long x, long y, long z, String text, String fingerprint, byte[] data);

    /** Sends an operation that is not answered (RELEASE). */
    void tell(String module, String node, int op, long file);

    /** An answer no driver may give: that request fails with EIO, and the log says why. */
    HostException garbage(String what, String why);

    /** The answer's value, or its errno thrown; a value beyond any errno is {@link #garbage}. */
    default long status(String what, Done d) {
        if (d.value() < 0) {
            if (d.value() < -4095) {
                throw garbage(what, "it answered " + d.value());
            }
            Errno e = Errno.ofStatus((int) d.value());
            throw new HostException(e, d.message().isEmpty() ? what + ": " + e.name() + " (" + e.description() + ")" : d.message());
        }
        return d.value();
    }
}
