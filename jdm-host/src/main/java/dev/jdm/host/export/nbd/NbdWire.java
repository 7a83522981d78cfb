package dev.jdm.host.export.nbd;

import dev.jdm.host.export.IoStatus;

/**
 * Descriptors of every NBD wire layout this server speaks: magics, flags, codes and the byte
 * offsets of each header, all big-endian. Section names refer to the NBD protocol document
 * ({@code doc/proto.md} of the NBD project).
 */
final class NbdWire {
    private NbdWire() {}

    /** Protocol string limit ("Conventions": strings MUST be no longer than 4096 bytes). */
    static final int MAX_STRING = 4096;

    /** "Newstyle negotiation": the server's greeting. */
    static final class Greeting {
        static final long NBDMAGIC = 0x4e42444d41474943L; // "NBDMAGIC"
        static final long IHAVEOPT = 0x49484156454F5054L; // "IHAVEOPT"
        static final int MAGIC = 0;
        static final int OPTS_MAGIC = 8;
        static final int HANDSHAKE_FLAGS = 16;
        static final int LENGTH = 18;
        /** Handshake flags. */
        static final int FLAG_FIXED_NEWSTYLE = 1;
        static final int FLAG_NO_ZEROES = 1 << 1;
        /** Client flags (32 bits, sent after the greeting). */
        static final int CLIENT_FLAGS_LENGTH = 4;
        static final int C_FIXED_NEWSTYLE = 1;
        static final int C_NO_ZEROES = 1 << 1;
        static final int C_KNOWN = C_FIXED_NEWSTYLE | C_NO_ZEROES;

        private Greeting() {}
    }

    /** "Fixed newstyle negotiation": an option from the client. */
    static final class Option {
        static final int MAGIC = 0;      // IHAVEOPT
        static final int OPTION = 8;
        static final int DATA_LENGTH = 12;
        static final int LENGTH = 16;

        static final int EXPORT_NAME = 1;
        static final int ABORT = 2;
        static final int LIST = 3;
        static final int STARTTLS = 5;
        static final int INFO = 6;
        static final int GO = 7;
        static final int STRUCTURED_REPLY = 8;
        static final int LIST_META_CONTEXT = 9;
        static final int SET_META_CONTEXT = 10;
        static final int EXTENDED_HEADERS = 11;

        private Option() {}
    }

    /** The server's reply to an option (all but EXPORT_NAME). */
    static final class OptionReply {
        static final long MAGIC_VALUE = 0x3e889045565a9L;
        static final int MAGIC = 0;
        static final int OPTION = 8;
        static final int TYPE = 12;
        static final int DATA_LENGTH = 16;
        static final int LENGTH = 20;

        static final int ACK = 1;
        static final int SERVER = 2;
        static final int INFO = 3;
        static final int META_CONTEXT = 4;
        private static final int ERR = 0x8000_0000;
        static final int ERR_UNSUP = ERR | 1;
        static final int ERR_POLICY = ERR | 2;
        static final int ERR_INVALID = ERR | 3;
        static final int ERR_PLATFORM = ERR | 4;
        static final int ERR_TLS_REQD = ERR | 5;
        static final int ERR_UNKNOWN = ERR | 6;
        static final int ERR_SHUTDOWN = ERR | 7;
        static final int ERR_BLOCK_SIZE_REQD = ERR | 8;
        static final int ERR_TOO_BIG = ERR | 9;

        private OptionReply() {}
    }

    /** NBD_REP_INFO payloads ("NBD_OPT_INFO and NBD_OPT_GO"). */
    static final class Info {
        static final int EXPORT = 0;       // u16 type, u64 size, u16 transmission flags
        static final int NAME = 1;         // u16 type, string
        static final int DESCRIPTION = 2;  // u16 type, string
        static final int BLOCK_SIZE = 3;   // u16 type, u32 minimum, u32 preferred, u32 maximum
        static final int EXPORT_LENGTH = 12;
        static final int BLOCK_SIZE_LENGTH = 14;

        private Info() {}
    }

    /** The reply to NBD_OPT_EXPORT_NAME: size, flags, and 124 zeroes unless NO_ZEROES. */
    static final class ExportNameReply {
        static final int SIZE = 0;
        static final int FLAGS = 8;
        static final int LENGTH = 10;
        static final int ZEROES = 124;

        private ExportNameReply() {}
    }

    /** Transmission flags ("Transmission flags"). */
    static final class TransmissionFlags {
        static final int HAS_FLAGS = 1;
        static final int READ_ONLY = 1 << 1;
        static final int SEND_FLUSH = 1 << 2;
        static final int SEND_FUA = 1 << 3;
        static final int ROTATIONAL = 1 << 4;
        static final int SEND_TRIM = 1 << 5;
        static final int SEND_WRITE_ZEROES = 1 << 6;
        static final int SEND_DF = 1 << 7;
        static final int CAN_MULTI_CONN = 1 << 8;
        static final int SEND_CACHE = 1 << 10;
        static final int SEND_FAST_ZERO = 1 << 11;

        private TransmissionFlags() {}
    }

    /** "Request message": the compact header, and the extended one of NBD_OPT_EXTENDED_HEADERS. */
    static final class Request {
        static final int MAGIC_VALUE = 0x25609513;
        static final int EXTENDED_MAGIC_VALUE = 0x21e41c71;
        static final int MAGIC = 0;
        static final int FLAGS = 4;
        static final int TYPE = 6;
        static final int COOKIE = 8;
        static final int OFFSET = 16;
        static final int LENGTH_FIELD = 24;  // u32 compact, u64 extended
        static final int LENGTH = 28;
        static final int EXTENDED_LENGTH = 32;

        static final int READ = 0;
        static final int WRITE = 1;
        static final int DISC = 2;
        static final int FLUSH = 3;
        static final int TRIM = 4;
        static final int CACHE = 5;
        static final int WRITE_ZEROES = 6;
        static final int BLOCK_STATUS = 7;

        static final int FLAG_FUA = 1;
        static final int FLAG_NO_HOLE = 1 << 1;
        static final int FLAG_DF = 1 << 2;
        static final int FLAG_REQ_ONE = 1 << 3;
        static final int FLAG_FAST_ZERO = 1 << 4;
        static final int FLAG_PAYLOAD_LEN = 1 << 5;

        private Request() {}
    }

    /** "Simple reply message". */
    static final class SimpleReply {
        static final int MAGIC_VALUE = 0x67446698;
        static final int MAGIC = 0;
        static final int ERROR = 4;
        static final int COOKIE = 8;
        static final int LENGTH = 16;

        private SimpleReply() {}
    }

    /** "Structured reply chunk message", compact and extended. */
    static final class Chunk {
        static final int MAGIC_VALUE = 0x668e33ef;
        static final int EXTENDED_MAGIC_VALUE = 0x6e8a278c;
        static final int MAGIC = 0;
        static final int FLAGS = 4;
        static final int TYPE = 6;
        static final int COOKIE = 8;
        static final int COMPACT_PAYLOAD_LENGTH = 16; // u32
        static final int LENGTH = 20;
        static final int EXTENDED_OFFSET = 16;        // u64: the request's offset
        static final int EXTENDED_PAYLOAD_LENGTH = 24; // u64
        static final int EXTENDED_LENGTH = 32;

        static final int FLAG_DONE = 1;

        static final int NONE = 0;
        static final int OFFSET_DATA = 1;      // u64 offset, data
        static final int BLOCK_STATUS = 5;     // u32 context, {u32 length, u32 flags}*
        static final int BLOCK_STATUS_EXT = 6; // u32 context, u32 count, {u64 length, u64 flags}*
        static final int ERROR = (1 << 15) | 1; // u32 error, u16 message length, message

        static final int OFFSET_DATA_PREFIX = 8;
        static final int ERROR_PREFIX = 6;
        static final int STATUS_PREFIX = 4;
        static final int STATUS_EXT_PREFIX = 8;
        static final int DESCRIPTOR = 8;
        static final int DESCRIPTOR_EXT = 16;

        private Chunk() {}
    }

    /** The {@code base:allocation} metadata context ("Metadata querying"). */
    static final class BaseAllocation {
        static final String NAME = "base:allocation";
        static final String NAMESPACE = "base:";
        /** The context id this server gives it on every connection. */
        static final int CONTEXT_ID = 1;
        static final int STATE_HOLE = 1;
        static final int STATE_ZERO = 1 << 1;

        private BaseAllocation() {}
    }

    /** "Error values". */
    static final class Errors {
        static final int EPERM = 1;
        static final int EIO = 5;
        static final int ENOMEM = 12;
        static final int EINVAL = 22;
        static final int ENOSPC = 28;
        static final int EOVERFLOW = 75;
        static final int ENOTSUP = 95;
        static final int ESHUTDOWN = 108;

        private Errors() {}

        /** The NBD error number for a device status (0 for OK). */
        static int of(IoStatus s) {
            return switch (s) {
                case OK -> 0;
                case EPERM -> EPERM;
                case EIO -> EIO;
                case ENOMEM -> ENOMEM;
                case EINVAL -> EINVAL;
                case ENOSPC -> ENOSPC;
                case EOVERFLOW -> EOVERFLOW;
                case ENOTSUP -> ENOTSUP;
                case ESHUTDOWN -> ESHUTDOWN;
            };
        }
    }
}
