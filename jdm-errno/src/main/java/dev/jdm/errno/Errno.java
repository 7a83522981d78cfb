package dev.jdm.errno;

import java.util.Optional;

/**
 * The errors jdm reports and meets, named and numbered as Linux's errno (x86-64 and most other
 * architectures). One vocabulary from a driver's status to the wire: the ABI's {@code BlockStatus}
 * and {@code Vote} constants carry these numbers, system calls made through FFM return them, the
 * host's exceptions carry these names, and the gate sends both, so a client can print what the host
 * meant without knowing the host.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    ESRCH(3, "No such process"),
    EINTR(4, "Interrupted system call"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    ENOEXEC(8, "Exec format error"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EACCES(13, "Permission denied"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    ENOTDIR(20, "Not a directory"),
    EINVAL(22, "Invalid argument"),
    EMFILE(24, "Too many open files"),
    ENOTTY(25, "Inappropriate ioctl for device"),
    EFBIG(27, "File too large"),
    ENOSPC(28, "No space left on device"),
    ESPIPE(29, "Illegal seek"),
    EROFS(30, "Read-only file system"),
    EPIPE(32, "Broken pipe"),
    ENAMETOOLONG(36, "File name too long"),
    ENOSYS(38, "Function not implemented"),
    ELOOP(40, "Too many levels of symbolic links"),
    EPROTO(71, "Protocol error"),
    EOVERFLOW(75, "Value too large for defined data type"),
    ENOTSOCK(88, "Socket operation on non-socket"),
    EOPNOTSUPP(95, "Operation not supported"),
    EADDRINUSE(98, "Address already in use"),
    ECONNRESET(104, "Connection reset by peer"),
    ESHUTDOWN(108, "Cannot send after transport endpoint shutdown"),
    ETIMEDOUT(110, "Connection timed out"),
    ECONNREFUSED(111, "Connection refused"),
    ECANCELED(125, "Operation canceled");

    private final int number;
    private final String description;

    Errno(int number, String description) {
        this.number = number;
        this.description = description;
    }

    /** The errno number. */
    public int number() {
        return number;
    }

    /** What {@code strerror} says. */
    public String description() {
        return description;
    }

    /** The errno with this number ({@code ENOTSUP} is {@code EOPNOTSUPP} on Linux). */
    public static Optional<Errno> ofNumber(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The errno with this name, accepting {@code ENOTSUP} for {@code EOPNOTSUPP}. */
    public static Optional<Errno> ofName(String name) {
        if ("ENOTSUP".equals(name)) {
            return Optional.of(EOPNOTSUPP);
        }
        for (Errno e : values()) {
            if (e.name().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** {@code EACCES}, or {@code errno 123} for a number not listed here. */
    public static String name(int number) {
        return ofNumber(number).map(Enum::name).orElse("errno " + number);
    }

    /** {@code EACCES (Permission denied)}, as a failed system call is reported. */
    public static String describe(int number) {
        return ofNumber(number).map(e -> e.name() + " (" + e.description + ")").orElse("errno " + number);
    }

    /** A status as drivers and votes give it (0 or a positive errno; negatives are accepted as -errno); EIO if unknown. */
    public static Errno ofStatus(int status) {
        return ofNumber(Math.abs(status)).orElse(EIO);
    }
}
