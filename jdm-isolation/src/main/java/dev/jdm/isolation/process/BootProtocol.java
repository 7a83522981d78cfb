package dev.jdm.isolation.process;

import dev.jdm.isolation.confine.ConfinementPlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of a domain's start, after the rendezvous's HELLO:
 *
 * <pre>
 *   host  → boot   BOOT   plan length int, plan ({@link ConfinementPlan#encode}), argv, envp of the domain JVM
 *   boot  → host   FAILED a UTF-8 message naming the step and errno; the process then exits 70
 *   domain→ host   READY  pid, uid, gid, Landlock ABI (0: none) as seen by the domain JVM
 * </pre>
 */
final class BootProtocol {
    static final int BOOT = 2;
    static final int FAILED = 3;
    static final int READY = 4;
    static final int MAX_STRINGS = 1024;
    /** Exit code of a boot that could not confine or exec (EX_SOFTWARE). */
    static final int EXIT_BOOT_FAILED = 70;

    private BootProtocol() {}

    record Boot(ConfinementPlan plan, List<String> argv, List<String> env) {}

    static byte[] encodeBoot(Boot b) {
        byte[] plan = b.plan().encode();
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(plan.length);
            out.write(plan);
            writeStrings(out, b.argv());
            writeStrings(out, b.env());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Boot decodeBoot(byte[] data) throws IOException {
        try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
            int n = in.readInt();
            if (n < 0 || n > data.length - 4) {
                throw new IOException("BOOT frame: plan length " + n + " exceeds the frame");
            }
            byte[] plan = in.readNBytes(n);
            Boot b = new Boot(ConfinementPlan.decode(plan), readStrings(in, "argv"), readStrings(in, "env"));
            if (b.argv().isEmpty()) {
                throw new IOException("BOOT frame: empty argv");
            }
            return b;
        }
    }

    private static void writeStrings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            out.writeUTF(s);
        }
    }

    private static List<String> readStrings(DataInputStream in, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRINGS) {
            throw new IOException("BOOT frame: " + n + " " + what + " strings, at most " + MAX_STRINGS);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return out;
    }

    /** What the domain JVM reports once it runs. */
    record Ready(int pid, int uid, int gid, int landlockAbi) {
        byte[] encode() {
            return java.nio.ByteBuffer.allocate(16).putInt(pid).putInt(uid).putInt(gid).putInt(landlockAbi).array();
        }

        static Ready decode(byte[] d) throws IOException {
            if (d.length != 16) {
                throw new IOException("READY frame of " + d.length + " bytes, expected 16");
            }
            var b = java.nio.ByteBuffer.wrap(d);
            return new Ready(b.getInt(), b.getInt(), b.getInt(), b.getInt());
        }
    }
}
