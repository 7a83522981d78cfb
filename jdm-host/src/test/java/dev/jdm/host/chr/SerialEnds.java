package dev.jdm.host.chr;

import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.HostException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The two ends of a serial line in a driver's test: the peer socket at the device's far side and
 * the driver's char node, each read until so many bytes came or ten seconds passed.
 */
public final class SerialEnds {
    private static final long TIMEOUT_NANOS = 10_000_000_000L;

    private SerialEnds() {}

    /** Up to {@code bytes} bytes from the peer socket, as ASCII. */
    public static String readPeer(SocketChannel peer, int bytes) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(4096);
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        peer.configureBlocking(false);
        while (got.size() < bytes && System.nanoTime() < deadline) {
            b.clear();
            int n = peer.read(b);
            if (n > 0) {
                got.write(b.array(), 0, n);
            } else {
                Thread.sleep(2);
            }
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    /** Up to {@code bytes} bytes read from a non-blocking open of the node, as ASCII; EAGAIN means wait. */
    public static String readNode(OpenFile f, int bytes) throws Exception {
        StringBuilder sb = new StringBuilder();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (sb.length() < bytes && System.nanoTime() < deadline) {
            try {
                sb.append(new String(f.read(4096, Heartbeat.NONE), StandardCharsets.US_ASCII));
            } catch (HostException e) {
                if (e.code() != Errno.EAGAIN) {
                    throw e;
                }
                Thread.sleep(2);
            }
        }
        return sb.toString();
    }

    /** The record {@code status()} of the node's typed calls, by field. */
    public static Map<String, DevValue> status(TypedCalls calls) {
        String fp = calls.schema().getMethodsList().stream().filter(m -> m.getName().equals("status")).findFirst().orElseThrow().getFingerprint();
        return calls.invoke("status", fp, null).getRecordValue().getFieldsMap();
    }
}
