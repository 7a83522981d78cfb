package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.cli.HostProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/python/jdm_dev.py, a client of only protobuf and a socket, against a host process: its
 * Python protobuf module is generated from gate.proto by protoc here (Debian: protobuf-compiler,
 * python3-protobuf), so the schema on the wire is shown to need nothing of Java.
 */
class PythonClientIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("examples/python/jdm_dev.py");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static HostProcess host;
    static Path proto;

    @BeforeAll
    static void start() throws Exception {
        proto = Files.createDirectories(Path.of("target/python-gate").toAbsolutePath());
        Result gen = HostProcess.run(List.of("protoc", "--python_out=" + proto, "-I", ROOT.resolve("jdm-gate/src/main/proto").toString(),
                "gate.proto"));
        assertThat(gen.code()).as("protoc (Debian package protobuf-compiler) generated gate_pb2.py: " + gen.err()).isZero();
        host = HostProcess.start("jdm-py-it", "--nbd-tcp", "off");
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static Result py(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), SCRIPT.toString(), "--proto-dir", proto.toString(), "--socket",
                host.socket().toString()));
        cmd.addAll(List.of(args));
        return HostProcess.run(cmd);
    }

    @Test
    void readsTheSchemaAndMakesTypedCallsWithItsFingerprints() throws Exception {
        Result d = py("describe", "kbd0");
        assertThat(d.code()).as("python3-protobuf is installed and the script ran: " + d.err()).isZero();
        assertThat(d.out()).contains("calls Keyboard version 1").containsPattern("feed\\(Keys\\) -> Fed \\['EINVAL'] \\[[0-9a-f]{16}]")
                .contains("record KeyEvent: code int32, action enum(RELEASE|PRESS|REPEAT)");
        String java = jdmDescribeFingerprint();
        assertThat(d.out()).as("Python sees the fingerprint the Java CLI sees").contains("fingerprint " + java);

        Result ok = py("call", "kbd0", "feed", "{\"events\": [{\"code\": 30, \"action\": \"PRESS\"}]}");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out().trim()).isEqualTo("{\"events\": 2, \"readers\": 0}");
        Result bad = py("call", "kbd0", "feed", "{\"events\": [{\"code\": 4096, \"action\": \"PRESS\"}]}");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("kbd0.feed: events[0].code 4096 is not a key code").contains("[EINVAL]");
        Result status = py("call", "kbd0", "status");
        assertThat(status.out()).contains("\"delivered\": 0");
    }

    @Test
    void readsADeviceThroughTheSameSocket() throws Exception {
        Result zero = py("cat", "zero", "16");
        assertThat(zero.code()).as(zero.err()).isZero();
        assertThat(zero.out()).isEqualTo("\0".repeat(16));
    }

    private static String jdmDescribeFingerprint() throws Exception {
        String out = host.jdm("dev", "describe", "kbd0").out();
        return out.lines().filter(l -> l.startsWith("calls ")).findFirst().orElseThrow().replaceAll(".*fingerprint ", "");
    }
}
