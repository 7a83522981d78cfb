package dev.jdm.isolation.sys;

import java.util.Map;

/** Names and texts of the errno values the isolation kit meets (Linux generic numbering). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    private static final Map<Integer, String[]> TABLE = Map.ofEntries(
            Map.entry(1, new String[] {"EPERM", "Operation not permitted"}),
            Map.entry(2, new String[] {"ENOENT", "No such file or directory"}),
            Map.entry(3, new String[] {"ESRCH", "No such process"}),
            Map.entry(4, new String[] {"EINTR", "Interrupted system call"}),
            Map.entry(5, new String[] {"EIO", "Input/output error"}),
            Map.entry(9, new String[] {"EBADF", "Bad file descriptor"}),
            Map.entry(11, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
            Map.entry(12, new String[] {"ENOMEM", "Cannot allocate memory"}),
            Map.entry(13, new String[] {"EACCES", "Permission denied"}),
            Map.entry(14, new String[] {"EFAULT", "Bad address"}),
            Map.entry(17, new String[] {"EEXIST", "File exists"}),
            Map.entry(20, new String[] {"ENOTDIR", "Not a directory"}),
            Map.entry(22, new String[] {"EINVAL", "Invalid argument"}),
            Map.entry(24, new String[] {"EMFILE", "Too many open files"}),
            Map.entry(25, new String[] {"ENOTTY", "Inappropriate ioctl for device"}),
            Map.entry(28, new String[] {"ENOSPC", "No space left on device"}),
            Map.entry(32, new String[] {"EPIPE", "Broken pipe"}),
            Map.entry(36, new String[] {"ENAMETOOLONG", "File name too long"}),
            Map.entry(38, new String[] {"ENOSYS", "Function not implemented"}),
            Map.entry(88, new String[] {"ENOTSOCK", "Socket operation on non-socket"}),
            Map.entry(95, new String[] {"EOPNOTSUPP", "Operation not supported"}),
            Map.entry(98, new String[] {"EADDRINUSE", "Address already in use"}),
            Map.entry(104, new String[] {"ECONNRESET", "Connection reset by peer"}),
            Map.entry(111, new String[] {"ECONNREFUSED", "Connection refused"}));

    private Errno() {}

    /** {@code EACCES}, or {@code errno 123} for one not in the table. */
    public static String name(int errno) {
        String[] e = TABLE.get(errno);
        return e == null ? "errno " + errno : e[0];
    }

    /** {@code EACCES (Permission denied)}. */
    public static String describe(int errno) {
        String[] e = TABLE.get(errno);
        return e == null ? "errno " + errno : e[0] + " (" + e[1] + ")";
    }
}
