package dev.jdm.cli;

import com.google.protobuf.ByteString;
import dev.jdm.errno.Errno;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.GateException;
import dev.jdm.gate.proto.JarUploadCall;
import dev.jdm.gate.proto.Request;

/**
 * Sends a module JAR to the host in {@code jar_upload} pieces (gate version 2), so no frame is
 * larger than a piece and the host never holds the JAR in memory. A version 1 host answers the
 * first piece with ENOSYS; the JAR then travels whole in the call, as it always did.
 */
final class JarSender {
    /** Bytes per piece: well inside the gate's 1 MiB limit for ordinary calls. */
    static final int PIECE = 512 << 10;

    private JarSender() {}

    /** @return the finished upload's id, or 0 if this host wants the JAR in the call itself */
    static long upload(GateClient gate, byte[] jar) {
        long id = 0;
        int off = 0;
        do {
            int len = Math.min(PIECE, jar.length - off);
            try {
                id = gate.call(Request.newBuilder().setJarUpload(JarUploadCall.newBuilder().setUpload(id)
                        .setData(ByteString.copyFrom(jar, off, len)))).getJarUpload().getUpload();
            } catch (GateException e) {
                if (id == 0 && e.errno().filter(x -> x == Errno.ENOSYS).isPresent()) {
                    return 0;
                }
                throw e;
            }
            off += len;
        } while (off < jar.length);
        return id;
    }
}
