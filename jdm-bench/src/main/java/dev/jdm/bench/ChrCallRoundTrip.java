package dev.jdm.bench;

import dev.jdm.gate.Frames;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.DevCallCall;
import dev.jdm.gate.proto.DevDescribeCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.host.Host;
import dev.jdm.symvers.JarContents;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A typed call's round trip (kbd0's status through the gate: framing, dispatch, the security
 * stack's dev_open and chr_call, the schema checks, the driver, the reply) against a raw Unix-socket
 * round trip of the very same request and response bytes to an echo peer that only frames them.
 * Both in this JVM, alternating, best of the rounds; prints microseconds per call and the ratio.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.jdm.bench.ChrCallRoundTrip MODULES_DIR [CALLS] [ROUNDS]}
 */
public final class ChrCallRoundTrip {
    private ChrCallRoundTrip() {}

    public static void main(String[] args) throws Exception {
        Path modules = Path.of(args.length > 0 ? args[0] : "jdm-cli/target/modules");
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory("jdm-chr-rtt");
        Path config = Files.writeString(dir.resolve("host.toml"), "modules = []\n");
        try (Host host = Host.start(new Host.Options(config, dir.resolve("gate.sock"), dir.resolve("state"), null, null))) {
            for (String m : new String[] {"sec-caps", "sec-devacl", "chr-input"}) {
                Path jar = modules.resolve(m + ".jar");
                host.modules().load(JarContents.read(jar), jar.toString(), Map.of(), false);
            }
            try (GateClient gate = GateClient.connect(host.socket())) {
                String fp = gate.call(Request.newBuilder().setDevDescribe(DevDescribeCall.newBuilder().setNode("kbd0"))).getDevDescribe()
                        .getSchema().getMethodsList().stream().filter(x -> x.getName().equals("status")).findFirst().orElseThrow().getFingerprint();
                Request.Builder call = Request.newBuilder().setDevCall(DevCallCall.newBuilder().setNode("kbd0").setMethod("status").setFingerprint(fp));
                Response sample = gate.call(call);
                byte[] request = call.setVersion(1).setMaxVersion(3).setId(1).build().toByteArray();
                byte[] response = sample.toByteArray();
                try (Echo echo = new Echo(dir.resolve("raw.sock"), response); RawClient raw = new RawClient(dir.resolve("raw.sock"))) {
                    double bestTyped = Double.MAX_VALUE;
                    double bestRaw = Double.MAX_VALUE;
                    for (int r = 0; r < rounds; r++) {
                        bestTyped = Math.min(bestTyped, typed(gate, call, calls));
                        bestRaw = Math.min(bestRaw, raw.roundTrips(request, calls));
                    }
                    System.out.printf("typed call kbd0.status through the gate  %8.2f us/call  (%d request bytes, %d response bytes)%n",
                            bestTyped / 1000, request.length, response.length);
                    System.out.printf("raw Unix-socket round trip, same bytes   %8.2f us/call%n", bestRaw / 1000);
                    System.out.printf("ratio typed/raw: %.2f   (target <= 1.5: %s)%n", bestTyped / bestRaw, bestTyped / bestRaw <= 1.5 ? "met" : "missed");
                }
            }
        }
    }

    /** Nanoseconds per typed call over {@code n} calls. */
    private static double typed(GateClient gate, Request.Builder call, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            gate.call(call);
        }
        return (System.nanoTime() - t0) / (double) n;
    }

    /** A peer that answers every frame with the same response frame: the socket and framing, nothing else. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocketChannel server;

        Echo(Path socket, byte[] response) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = server.accept()) {
                    DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
                    while (Frames.read(in) != null) {
                        Frames.write(out, response);
                    }
                } catch (IOException ended) {
                    // the client closed
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** The client side of the raw round trip, framed and buffered as GateClient is. */
    private static final class RawClient implements AutoCloseable {
        private final SocketChannel ch;
        private final DataInputStream in;
        private final DataOutputStream out;

        RawClient(Path socket) throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
            in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch)));
            out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
        }

        double roundTrips(byte[] request, int n) throws IOException {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Frames.write(out, request);
                Response.parseFrom(Frames.read(in)); // the client decodes the reply in both cases
            }
            return (System.nanoTime() - t0) / (double) n;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
