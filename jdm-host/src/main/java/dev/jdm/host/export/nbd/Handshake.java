package dev.jdm.host.export.nbd;

import dev.jdm.abi.LogLevel;
import dev.jdm.host.export.Export;
import dev.jdm.host.export.ExportAccess;
import dev.jdm.host.export.ExportRegistry;
import dev.jdm.host.export.ExportableDevice;
import dev.jdm.host.export.ExportableDevice.Capability;
import dev.jdm.host.export.nbd.NbdWire.Greeting;
import dev.jdm.host.export.nbd.NbdWire.Info;
import dev.jdm.host.export.nbd.NbdWire.Option;
import dev.jdm.host.export.nbd.NbdWire.OptionReply;
import dev.jdm.host.export.nbd.NbdWire.TransmissionFlags;
import dev.jdm.host.export.nbd.tls.TlsMode;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The fixed newstyle handshake ("Fixed newstyle negotiation", "Option types"): greeting, client
 * flags, then at most {@link #MAX_OPTIONS} options until GO or EXPORT_NAME enters transmission.
 * A malformed option gets an error reply and negotiation goes on; only a stream that is not
 * options at all (bad magic, impossible length) ends the connection.
 */
final class Handshake {
    /** Options one connection may send before it is taken for a denial of service. */
    static final int MAX_OPTIONS = 64;
    /** Largest option payload: an export name, queries and info requests fit well within it. */
    static final int MAX_OPTION_DATA = 16 << 10;

    /** The peer broke the protocol so that the connection cannot go on. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    private final Connection conn;
    private final ExportRegistry exports;
    private final ExportAccess access;
    private final NbdConfig config;
    private final BiConsumer<LogLevel, String> log;
    private boolean noZeroes;
    private boolean tlsRefusalLogged;
    private boolean structured;
    private boolean extended;
    private Export metaExport; // the export base:allocation was selected for, or null

    Handshake(Connection conn, ExportRegistry exports, ExportAccess access, NbdConfig config, BiConsumer<LogLevel, String> log) {
        this.conn = conn;
        this.log = log;
        this.exports = exports;
        this.access = access;
        this.config = config;
    }

    /**
     * Negotiates.
     *
     * @return the session, or empty if the client aborted
     * @throws ProtocolException if the peer is not speaking fixed newstyle NBD
     */
    Optional<Session> run() throws IOException {
        ByteBuffer greet = ByteBuffer.allocate(Greeting.LENGTH);
        greet.putLong(Greeting.MAGIC, Greeting.NBDMAGIC).putLong(Greeting.OPTS_MAGIC, Greeting.IHAVEOPT)
                .putShort(Greeting.HANDSHAKE_FLAGS, (short) (Greeting.FLAG_FIXED_NEWSTYLE | Greeting.FLAG_NO_ZEROES));
        WireIo.writeFully(conn.channel(), greet);
        ByteBuffer cf = ByteBuffer.allocate(Greeting.CLIENT_FLAGS_LENGTH);
        WireIo.readFully(conn.channel(), cf, "the client flags");
        int clientFlags = cf.getInt(0);
        if ((clientFlags & ~Greeting.C_KNOWN) != 0) {
            // "the server MUST close the TCP connection if it does not recognize the client's flags"
            throw new ProtocolException("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        noZeroes = (clientFlags & Greeting.C_NO_ZEROES) != 0;
        for (int i = 0; i < MAX_OPTIONS; i++) {
            ByteBuffer h = ByteBuffer.allocate(Option.LENGTH);
            WireIo.readFully(conn.channel(), h, "an option header");
            if (h.getLong(Option.MAGIC) != Greeting.IHAVEOPT) {
                throw new ProtocolException("option magic 0x" + Long.toHexString(h.getLong(Option.MAGIC)) + " is not IHAVEOPT");
            }
            int option = h.getInt(Option.OPTION);
            long length = Integer.toUnsignedLong(h.getInt(Option.DATA_LENGTH));
            if (length > MAX_OPTION_DATA) {
                throw new ProtocolException("option " + option + " carries " + length + " bytes, more than " + MAX_OPTION_DATA);
            }
            ByteBuffer data = ByteBuffer.allocate((int) length);
            WireIo.readFully(conn.channel(), data, "option " + option);
            data.flip();
            Optional<Session> done = option(option, data);
            if (done != null) {
                return done;
            }
        }
        throw new ProtocolException("more than " + MAX_OPTIONS + " options without choosing an export");
    }

    /** Handles one option; returns null to continue negotiating. */
    private Optional<Session> option(int option, ByteBuffer data) throws IOException {
        if (conn.mode() == TlsMode.REQUIRE && !conn.encrypted() && option != Option.STARTTLS && option != Option.ABORT) {
            return tlsRequired(option);
        }
        try {
            switch (option) {
                case Option.STARTTLS -> startTls(data);
                case Option.EXPORT_NAME -> {
                    return Optional.of(exportName(data));
                }
                case Option.ABORT -> {
                    reply(option, OptionReply.ACK, new byte[0]);
                    return Optional.empty();
                }
                case Option.LIST -> list(data);
                case Option.INFO, Option.GO -> {
                    Session s = infoOrGo(option, data);
                    if (s != null) {
                        return Optional.of(s);
                    }
                }
                case Option.STRUCTURED_REPLY -> {
                    if (requireEmpty(option, data) && refuseIf(option, structured, "structured replies are already negotiated")) {
                        structured = true;
                        reply(option, OptionReply.ACK, new byte[0]);
                    }
                }
                case Option.EXTENDED_HEADERS -> {
                    if (requireEmpty(option, data) && refuseIf(option, extended, "extended headers are already negotiated")) {
                        extended = true;
                        structured = true;
                        reply(option, OptionReply.ACK, new byte[0]);
                    }
                }
                case Option.LIST_META_CONTEXT, Option.SET_META_CONTEXT -> metaContext(option, data);
                default -> error(option, OptionReply.ERR_UNSUP, "option " + option + " is not supported by this server");
            }
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            error(option, OptionReply.ERR_INVALID, "option " + option + " is malformed: "
                    + (e.getMessage() == null ? "its data is shorter than its fields" : e.getMessage()));
        }
        return null;
    }

    /**
     * FORCEDTLS ("TLS support", "FORCEDTLS mode"): every option but STARTTLS and ABORT is refused
     * with NBD_REP_ERR_TLS_REQD until TLS runs; EXPORT_NAME cannot be refused, so the session ends.
     */
    private Optional<Session> tlsRequired(int option) throws IOException {
        if (option == Option.EXPORT_NAME) {
            throw new ProtocolException("NBD_OPT_EXPORT_NAME in clear text, but this server requires TLS: connect with nbds:// "
                    + "(or the client's TLS option) and certificates");
        }
        error(option, OptionReply.ERR_TLS_REQD, "this server requires TLS: send NBD_OPT_STARTTLS first (an nbds:// URI, "
                + "qemu's tls-creds)");
        if (!tlsRefusalLogged) {
            tlsRefusalLogged = true;
            log.accept(LogLevel.WARNING, conn.task().name() + ": option " + option + " refused in clear text: TLS is required");
        }
        return null;
    }

    /**
     * NBD_OPT_STARTTLS ("Option types", "TLS support"): ACK then the TLS handshake, or an error
     * reply the spec permits. Once TLS runs no earlier negotiation state survives.
     */
    private void startTls(ByteBuffer data) throws IOException {
        if (conn.mode() == TlsMode.OFF) {
            error(Option.STARTTLS, OptionReply.ERR_POLICY, "TLS is not offered here: it serves TCP listeners with --nbd-tls on|require;"
                    + " a Unix socket's peers are known by the kernel");
        } else if (conn.encrypted()) {
            error(Option.STARTTLS, OptionReply.ERR_INVALID, "TLS is already running on this connection");
        } else if (requireEmpty(Option.STARTTLS, data)) {
            reply(Option.STARTTLS, OptionReply.ACK, new byte[0]);
            try {
                conn.startTls();
            } catch (IOException e) {
                // too late for clear text once the ACK is sent: the session ends
                throw new ProtocolException("TLS handshake failed: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            structured = false;
            extended = false;
            metaExport = null;
            log.accept(LogLevel.INFO, conn.task().name() + ": TLS " + conn.tlsDescription());
        }
    }

    private Session exportName(ByteBuffer data) throws IOException {
        String name = string(data, data.remaining());
        Export e = exports.find(name).orElseThrow(() -> new ProtocolException("NBD_OPT_EXPORT_NAME: no export named \"" + name + "\""));
        if (!allowed(e)) {
            // EXPORT_NAME has no error reply: the only refusal is to hang up.
            throw new ProtocolException("NBD_OPT_EXPORT_NAME: task " + conn.task().name() + " may not use export " + e.name());
        }
        int flags = transmissionFlags(e);
        ByteBuffer r = ByteBuffer.allocate(NbdWire.ExportNameReply.LENGTH + (noZeroes ? 0 : NbdWire.ExportNameReply.ZEROES));
        r.putLong(NbdWire.ExportNameReply.SIZE, e.device().size()).putShort(NbdWire.ExportNameReply.FLAGS, (short) flags);
        WireIo.writeFully(conn.channel(), r);
        return session(e, 1, flags);
    }

    private void list(ByteBuffer data) throws IOException {
        if (!requireEmpty(Option.LIST, data)) {
            return;
        }
        for (Export e : exports.list()) {
            if (allowed(e)) { // a task sees only the exports it may use
                byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                reply(Option.LIST, OptionReply.SERVER, ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).array());
            }
        }
        reply(Option.LIST, OptionReply.ACK, new byte[0]);
    }

    private Session infoOrGo(int option, ByteBuffer data) throws IOException {
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > data.remaining() - 2) {
            throw new IllegalArgumentException("export name length " + Integer.toUnsignedString(nameLength) + " exceeds the option");
        }
        String name = string(data, nameLength);
        int requests = Short.toUnsignedInt(data.getShort());
        if (data.remaining() != requests * 2) {
            throw new IllegalArgumentException(requests + " information requests do not fill the remaining " + data.remaining() + " bytes");
        }
        boolean wantName = false;
        boolean wantDescription = false;
        boolean wantBlockSize = false;
        for (int i = 0; i < requests; i++) {
            switch (data.getShort()) {
                case Info.NAME -> wantName = true;
                case Info.DESCRIPTION -> wantDescription = true;
                case Info.BLOCK_SIZE -> wantBlockSize = true;
                default -> { } // "the server MUST ignore information requests it does not understand"
            }
        }
        Optional<Export> found = exports.find(name);
        if (found.isEmpty()) {
            error(option, OptionReply.ERR_UNKNOWN, "no export named \"" + name + "\"");
            return null;
        }
        Export e = found.get();
        if (!allowed(e)) {
            error(option, OptionReply.ERR_POLICY, "task " + conn.task().name() + " may not use export " + e.name());
            return null;
        }
        ExportableDevice d = e.device();
        if (d.minimumBlockSize() > 1 && !wantBlockSize && option == Option.GO) {
            error(option, OptionReply.ERR_BLOCK_SIZE_REQD, "export " + e.name() + " needs I/O aligned to " + d.minimumBlockSize()
                    + " bytes; ask for NBD_INFO_BLOCK_SIZE");
            return null;
        }
        int flags = transmissionFlags(e);
        reply(option, OptionReply.INFO, ByteBuffer.allocate(Info.EXPORT_LENGTH).putShort((short) Info.EXPORT)
                .putLong(d.size()).putShort((short) flags).array());
        if (wantName) {
            reply(option, OptionReply.INFO, infoString(Info.NAME, e.name()));
        }
        if (wantDescription) {
            reply(option, OptionReply.INFO, infoString(Info.DESCRIPTION, "jdm export of " + d.name() + (e.writesRefused() ? " (read-only)" : "")));
        }
        reply(option, OptionReply.INFO, ByteBuffer.allocate(Info.BLOCK_SIZE_LENGTH).putShort((short) Info.BLOCK_SIZE)
                .putInt(d.minimumBlockSize()).putInt(d.preferredBlockSize()).putInt(maxPayload(d)).array());
        reply(option, OptionReply.ACK, new byte[0]);
        return option == Option.GO ? session(e, wantBlockSize ? d.minimumBlockSize() : 1, flags) : null;
    }

    private void metaContext(int option, ByteBuffer data) throws IOException {
        if (option == Option.SET_META_CONTEXT && !structured) {
            error(option, OptionReply.ERR_INVALID, "NBD_OPT_SET_META_CONTEXT needs structured replies first");
            return;
        }
        int nameLength = data.getInt();
        if (nameLength < 0 || nameLength > data.remaining() - 4) {
            throw new IllegalArgumentException("export name length " + Integer.toUnsignedString(nameLength) + " exceeds the option");
        }
        String name = string(data, nameLength);
        int count = data.getInt();
        if (count < 0 || count > data.remaining() / 4) {
            throw new IllegalArgumentException(Integer.toUnsignedString(count) + " queries cannot fit in " + data.remaining() + " bytes");
        }
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = data.getInt();
            if (len < 0 || len > data.remaining()) {
                throw new IllegalArgumentException("query length " + Integer.toUnsignedString(len) + " exceeds the option");
            }
            queries.add(string(data, len));
        }
        if (data.hasRemaining()) {
            throw new IllegalArgumentException(data.remaining() + " bytes follow the last query");
        }
        Optional<Export> e = exports.find(name);
        if (e.isEmpty()) {
            error(option, OptionReply.ERR_UNKNOWN, "no export named \"" + name + "\"");
            return;
        }
        boolean set = option == Option.SET_META_CONTEXT;
        boolean base = set ? queries.contains(NbdWire.BaseAllocation.NAME)
                : queries.isEmpty() || queries.contains(NbdWire.BaseAllocation.NAME) || queries.contains(NbdWire.BaseAllocation.NAMESPACE);
        if (set) {
            metaExport = base ? e.get() : null; // a new SET replaces the earlier selection
        }
        if (base) {
            byte[] ctx = NbdWire.BaseAllocation.NAME.getBytes(StandardCharsets.US_ASCII);
            reply(option, OptionReply.META_CONTEXT, ByteBuffer.allocate(4 + ctx.length)
                    .putInt(set ? NbdWire.BaseAllocation.CONTEXT_ID : 0).put(ctx).array());
        }
        reply(option, OptionReply.ACK, new byte[0]);
    }

    private Session session(Export e, int alignment, int flags) {
        return new Session(e, structured, extended, metaExport == e, alignment, maxPayload(e.device()), flags);
    }

    private int maxPayload(ExportableDevice d) {
        return Math.min(config.maxPayload(), d.maximumBlockSize());
    }

    private int transmissionFlags(Export e) {
        var caps = e.device().capabilities();
        boolean rw = !e.writesRefused();
        int f = TransmissionFlags.HAS_FLAGS;
        f |= e.writesRefused() ? TransmissionFlags.READ_ONLY : 0;
        f |= caps.contains(Capability.FLUSH) ? TransmissionFlags.SEND_FLUSH : 0;
        f |= rw && caps.contains(Capability.FUA) ? TransmissionFlags.SEND_FUA : 0;
        f |= caps.contains(Capability.ROTATIONAL) ? TransmissionFlags.ROTATIONAL : 0;
        f |= rw && caps.contains(Capability.TRIM) ? TransmissionFlags.SEND_TRIM : 0;
        f |= rw && caps.contains(Capability.WRITE_ZEROES) ? TransmissionFlags.SEND_WRITE_ZEROES : 0;
        f |= rw && caps.contains(Capability.WRITE_ZEROES) && caps.contains(Capability.FAST_ZERO) ? TransmissionFlags.SEND_FAST_ZERO : 0;
        f |= structured ? TransmissionFlags.SEND_DF : 0;
        f |= caps.contains(Capability.MULTI_CONN) ? TransmissionFlags.CAN_MULTI_CONN : 0;
        f |= caps.contains(Capability.CACHE) ? TransmissionFlags.SEND_CACHE : 0;
        return f;
    }

    private boolean allowed(Export e) {
        try {
            return access.exportConnect(conn.task(), conn.peer(), e.name(), e.writesRefused());
        } catch (RuntimeException denied) {
            return false; // fail closed
        }
    }

    private boolean requireEmpty(int option, ByteBuffer data) throws IOException {
        if (data.hasRemaining()) {
            error(option, OptionReply.ERR_INVALID, "option " + option + " takes no data but carries " + data.remaining() + " bytes");
            return false;
        }
        return true;
    }

    private boolean refuseIf(int option, boolean condition, String why) throws IOException {
        if (condition) {
            error(option, OptionReply.ERR_INVALID, why);
        }
        return !condition;
    }

    private static byte[] infoString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + b.length).putShort((short) type).put(b).array();
    }

    private static String string(ByteBuffer data, int length) {
        if (length > NbdWire.MAX_STRING) {
            throw new IllegalArgumentException("a string of " + length + " bytes exceeds " + NbdWire.MAX_STRING);
        }
        byte[] b = new byte[length];
        data.get(b);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a string contains NUL");
            }
            return s;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a string is not UTF-8");
        }
    }

    private void error(int option, int type, String message) throws IOException {
        reply(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(int option, int type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(OptionReply.LENGTH + payload.length);
        b.putLong(OptionReply.MAGIC, OptionReply.MAGIC_VALUE).putInt(OptionReply.OPTION, option)
                .putInt(OptionReply.TYPE, type).putInt(OptionReply.DATA_LENGTH, payload.length);
        b.position(OptionReply.LENGTH).put(payload).flip();
        WireIo.writeFully(conn.channel(), b);
    }
}
