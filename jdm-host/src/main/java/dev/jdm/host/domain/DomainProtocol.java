package dev.jdm.host.domain;

import dev.jdm.isolation.channel.ControlChannelException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The control frames between the host and a domain (docs/domains.md has the table). Payloads are
 * {@code DataOutput} fields; every string is bounded, and a frame with a field out of range or bytes
 * left over is refused with one line naming the frame and the field.
 */
public final class DomainProtocol {
    public static final int LOAD = 20;
    public static final int UNLOAD = 21;
    public static final int LU_ATTACHED = 22;
    public static final int LU_REGISTERED = 23;
    public static final int GRANTED = 24;
    public static final int PING = 25;
    public static final int PREPARE = 26;
    /** Answers REGISTER_LSM: id, errno, message. */
    public static final int LSM_REGISTERED = 27;
    /** A security hook for a module's security module: id, module, hook, task, has-args, args; answered with VOTED. */
    public static final int VOTE = 28;
    /** A task went: module, task; the module's data for it is freed (taskFree). */
    public static final int TASK_FREE = 29;
    public static final int LOADED = 30;
    public static final int UNLOADED = 31;
    public static final int REGISTER_LU = 32;
    public static final int REMOVE_LU = 33;
    public static final int LOG = 34;
    public static final int BOOT_GUARD = 35;
    public static final int GRANT_FILE = 36;
    public static final int GRANT_CLOSE = 37;
    public static final int PONG = 38;
    public static final int PREPARED = 39;
    /** A module asks for a file by a path it chose (Grants.fileAt): id, module, path, flags; answered with GRANTED. */
    public static final int GRANT_PATH = 40;
    /** A module registers its security module: id, module; answered with LSM_REGISTERED. */
    public static final int REGISTER_LSM = 41;
    /** A vote: id, kind (Vote.Kind ordinal), errno, reason (absent as an empty string with a flag). */
    public static final int VOTED = 42;
    /** A module asks for the stream its parameter names (Grants.stream): id, module, parameter; answered with GRANTED. */
    public static final int GRANT_STREAM = 43;

    /** A module registers a char node: id, module, node, major, minor, owner, group, mode (-1: the default), calls interface (empty: none). */
    public static final int CHR_REGISTER = 50;
    /** Answers CHR_REGISTER: id, errno, message, major, minor (the number the node got). */
    public static final int CHR_REGISTERED = 51;
    /** A file operation or typed call for a node served in the domain: id, op ({@code ChrOp}), module, node, file, x, y, z, text, fingerprint, data. */
    public static final int CHR_OP = 52;
    /** Answers CHR_OP: id, value (a count or handle; negative: -errno), message, data. */
    public static final int CHR_DONE = 53;
    /** A node's driver called wake(): module, node. */
    public static final int CHR_WAKE = 54;
    /** A node's driver called remove(): module, node. */
    public static final int CHR_REMOVE = 55;
    /** The host log's records from a sequence number, for a module's HostLog: id, module, seq, max; answered with HOSTLOG_LINES. */
    public static final int HOSTLOG_SINCE = 56;
    /** Answers HOSTLOG_SINCE: id, next seq, count, then per record seq, micros, level, source, message. */
    public static final int HOSTLOG_LINES = 57;
    /** A module subscribes to the host log's appends: module. */
    public static final int HOSTLOG_SUBSCRIBE = 58;
    /** Records were appended to the host log (coalesced): module. */
    public static final int HOSTLOG_APPENDED = 59;
    /** A module registers its hardware driver: id, module; answered with HW_ANSWER. */
    public static final int HW_REGISTER = 70;
    /**
     * Answers HW_REGISTER and HW_OP: id, errno, value, message; for a DMA_ALLOC, the memfd of the
     * buffer (created and sealed by the host) rides along.
     */
    public static final int HW_ANSWER = 71;
    /** A bound driver's access to its device ({@code HwOps}): id, module, binding, op, a, b, width, value; answered with HW_ANSWER. */
    public static final int HW_OP = 72;
    /**
     * The host calls a driver in the domain ({@code HwOps} PROBE, REMOVE, IRQ): id, op, module, binding,
     * vector; a PROBE adds the device's name, modalias, MSI-X vector count and BARs (count, then index,
     * kind, size each). Answered with HW_RESULT.
     */
    public static final int HW_CALL = 73;
    /** Answers HW_CALL: id, errno, value (an IRQ: 1 handled, 0 none), message. */
    public static final int HW_RESULT = 74;

    /** A module registers its USB driver: id, module; answered with HW_ANSWER. */
    public static final int USB_REGISTER = 75;
    /** A bound USB driver's request ({@code UsbOps}): id, module, binding, op, a, b, value, data; answered with USB_ANSWER. */
    public static final int USB_OP = 76;
    /** The host calls a USB driver in the domain ({@code UsbOps} PROBE, REMOVE, URB_DONE): id (0: no answer), op, module, binding, then the op's fields. */
    public static final int USB_CALL = 77;
    /** Answers USB_OP: id, errno, value, message, data. */
    public static final int USB_ANSWER = 78;
    /** Answers USB_CALL PROBE and REMOVE: id, errno, message. */
    public static final int USB_RESULT = 79;

    /** Most bytes of data one CHR_OP or CHR_DONE carries: a read or write is cut into parts of this size (control frames are at most 64 KiB). */
    public static final int MAX_CHR_DATA = 60 << 10;

    /**
     * A ring request op beyond the block ops: an extents query ({@code BlockExtents}) for the range
     * at the descriptor's offset, whose length is the buffer's first 8 bytes. The answer, in the
     * same buffer: a run count (int), then per run its length (long) and flags (int).
     */
    public static final int EXTENTS_OP = 64;
    /** Bytes of one run in an extents answer. */
    public static final int EXTENT_RUN_BYTES = 12;

    public static final int MAX_NAME = 64;
    public static final int MAX_MESSAGE = 4096;
    public static final int MAX_PARAMS = 64;

    private DomainProtocol() {}

    /** {@code bytes} rounded up to whole pages, at least one: the size of the memfd a JAR travels in. */
    public static long pages(long bytes) {
        return Math.max(4096, (bytes + 4095) & ~4095L);
    }

    /** Builds a payload. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        public Writer string(String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > max) {
                b = java.util.Arrays.copyOf(b, max); // messages are cut, never refused by the sender
            }
            try {
                out.writeShort(b.length);
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer name(String s) {
            return string(s, MAX_NAME);
        }

        public Writer message(String s) {
            return string(s == null ? "" : s, MAX_MESSAGE);
        }

        public Writer i(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer l(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** A length-prefixed (int) byte string; refused beyond {@code max}: data is never cut. */
        public Writer data(byte[] b, int max) {
            if (b.length > max) {
                throw new IllegalArgumentException(b.length + " bytes of data in one frame, at most " + max);
            }
            try {
                out.writeInt(b.length);
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Writer b(boolean v) {
            return i(v ? 1 : 0);
        }

        public byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    /** Reads a payload, refusing what is out of range. */
    public static final class Reader {
        private final String frame;
        private final DataInputStream in;
        private final int length;

        public Reader(String frame, byte[] payload) {
            this.frame = frame;
            this.length = payload.length;
            this.in = new DataInputStream(new ByteArrayInputStream(payload));
        }

        public String string(String field, int max) throws ControlChannelException {
            int n = i16(field);
            if (n > max) {
                throw bad(field, n + " bytes, at most " + max);
            }
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (IOException e) {
                throw bad(field, "cut short");
            }
            return new String(b, StandardCharsets.UTF_8);
        }

        public String name(String field) throws ControlChannelException {
            String s = string(field, MAX_NAME);
            if (!s.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw bad(field, "\"" + s + "\" is not 1-64 of [A-Za-z0-9_.-]");
            }
            return s;
        }

        public String message(String field) throws ControlChannelException {
            return string(field, MAX_MESSAGE);
        }

        private int i16(String field) throws ControlChannelException {
            try {
                return in.readUnsignedShort();
            } catch (IOException e) {
                throw bad(field, "missing");
            }
        }

        public int i(String field) throws ControlChannelException {
            try {
                return in.readInt();
            } catch (IOException e) {
                throw bad(field, "missing");
            }
        }

        public int i(String field, int min, int max) throws ControlChannelException {
            int v = i(field);
            if (v < min || v > max) {
                throw bad(field, v + ", expected [" + min + ", " + max + "]");
            }
            return v;
        }

        public long l(String field) throws ControlChannelException {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw bad(field, "missing");
            }
        }

        /** A byte string written by {@link Writer#data}, at most {@code max} bytes. */
        public byte[] data(String field, int max) throws ControlChannelException {
            int n = i(field);
            if (n < 0 || n > max) {
                throw bad(field, n + " bytes, expected [0, " + max + "]");
            }
            byte[] b = new byte[n];
            try {
                in.readFully(b);
            } catch (IOException e) {
                throw bad(field, "cut short");
            }
            return b;
        }

        public boolean b(String field) throws ControlChannelException {
            return i(field, 0, 1) == 1;
        }

        /** Refuses bytes left over. */
        public void end() throws ControlChannelException {
            try {
                if (in.available() > 0) {
                    throw new ControlChannelException(frame + " frame: " + in.available() + " bytes left over of " + length);
                }
            } catch (IOException e) {
                throw new ControlChannelException(frame + " frame: " + e.getMessage());
            }
        }

        private ControlChannelException bad(String field, String what) {
            return new ControlChannelException(frame + " frame: field " + field + ": " + what);
        }
    }
}
