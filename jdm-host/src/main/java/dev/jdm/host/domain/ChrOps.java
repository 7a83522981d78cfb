package dev.jdm.host.domain;

/**
 * The operations a {@link DomainProtocol#CHR_OP} frame carries, and what its fields mean for each
 * (docs/domains.md, "Character devices"). {@code file} is the domain's handle of an open file,
 * which OPEN answers with.
 */
public final class ChrOps {
    /** x: open flags, y: uid, z: gid (high 32 bits) and pid (low 32 bits). Answer: the file's handle (at least 1). */
    public static final int OPEN = 1;
    /** x: bytes asked (1..MAX_CHR_DATA). Answer: the count, and as many bytes of data. */
    public static final int READ = 2;
    /** data: the bytes. Answer: the count taken. */
    public static final int WRITE = 3;
    /** Answer: the poll bits. */
    public static final int POLL = 4;
    /** x: offset, y: whence. Answer: the new position. */
    public static final int SEEK = 5;
    /** x: the command, data: its argument (its size in bytes). Answer: the value, and the argument as the driver left it. */
    public static final int IOCTL = 6;
    /** Releases the file; not answered. */
    public static final int RELEASE = 7;
    /** text: the method, fingerprint: the client's, x: 1 if data holds the arguments (a DevValue). Answer: 1 and the result in data, or 0 for none. */
    public static final int CALL = 8;
    /** The largest op. */
    public static final int LAST = CALL;

    private ChrOps() {}

    /** The op's name, for messages. */
    static String name(int op) {
        return switch (op) {
            case ChrOps.OPEN -> "open";
            case ChrOps.READ -> "read";
            case ChrOps.WRITE -> "write";
            case ChrOps.POLL -> "poll";
            case ChrOps.SEEK -> "seek";
            case ChrOps.IOCTL -> "ioctl";
            case ChrOps.RELEASE -> "release";
            case ChrOps.CALL -> "call";
            default -> "op " + op;
        };
    }
}
