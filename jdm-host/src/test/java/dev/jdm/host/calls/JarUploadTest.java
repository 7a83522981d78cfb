package dev.jdm.host.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.jdm.errno.Errno;
import dev.jdm.gate.GateClient;
import dev.jdm.gate.GateException;
import dev.jdm.gate.proto.InsmodCall;
import dev.jdm.gate.proto.JarUploadCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.TestModules;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module JAR travels in small pieces into a private file, and every way an upload can go wrong leaves nothing behind. */
class JarUploadTest {
    @TempDir
    Path dir;

    private static long upload(GateClient gate, byte[] jar, int piece) {
        long id = 0;
        for (int off = 0; off < jar.length; off += piece) {
            int len = Math.min(piece, jar.length - off);
            id = gate.call(Request.newBuilder().setJarUpload(JarUploadCall.newBuilder().setUpload(id)
                    .setData(ByteString.copyFrom(jar, off, len)))).getJarUpload().getUpload();
        }
        return id;
    }

    @Test
    void shouldLoadAModuleSentInPiecesAndRefuseThePiecesToAVersion1Client() throws IOException {
        byte[] jar = Files.readAllBytes(TestModules.build(dir.resolve("up.jar"), TestModules.module("up", "ctx.log().info(\"up\");")));
        try (Host host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"),
                Files.createDirectories(dir.resolve("bundled")), null));
                GateClient gate = GateClient.connect(host.socket())) {
            long id = upload(gate, jar, Math.max(1, jar.length / 3));
            var r = gate.call(Request.newBuilder().setInsmod(InsmodCall.newBuilder().setUpload(id).setOrigin("up.jar")));
            assertThat(r.getModule().getModule().getName()).isEqualTo("up");
            assertThat(host.modules().get("up")).isPresent();
            assertThatThrownBy(() -> gate.call(Request.newBuilder().setInsmod(InsmodCall.newBuilder().setUpload(id).setOrigin("up.jar"))))
                    .as("an insmod takes its upload").isInstanceOf(GateException.class).hasMessage("up.jar: no upload " + id + " is open on this connection");
            try (Stream<Path> left = Files.list(host.stateDir())) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("upload-") || n.startsWith("module-"));
            }
            try (GateClient old = GateClient.connect(host.socket(), 1, 1)) {
                assertThatThrownBy(() -> upload(old, jar, jar.length)).isInstanceOf(GateException.class)
                        .hasMessage("jar_upload needs gate version 2; this connection speaks 1")
                        .extracting(e -> ((GateException) e).errno().orElseThrow()).isEqualTo(Errno.ENOSYS);
            }
        }
    }

    @Test
    void shouldDropAnUploadThatGrowsTooLargeOrFindsNoRoomAndEveryUploadOfATaskThatEnds() throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        JarUploads uploads = new JarUploads(state, 1000, 1500);
        Task a = new Task(1, "gate:1", new Credentials(1000, 1000, 1));
        Task b = new Task(2, "gate:2", new Credentials(1000, 1000, 2));
        long big = uploads.append(a, 0, new byte[600])[0];
        assertThatThrownBy(() -> uploads.append(a, big, new byte[600])).isInstanceOf(HostException.class)
                .hasMessage("jar upload: 1200 bytes exceed the 1000 a module JAR may have; upload dropped")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EFBIG);
        assertThat(uploads.openCount()).isZero();

        long one = uploads.append(a, 0, new byte[900])[0];
        assertThatThrownBy(() -> uploads.append(b, 0, new byte[700])).as("900 + 700 > the 1500 all uploads may hold")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.ENOSPC);
        assertThatThrownBy(() -> uploads.append(b, one, new byte[1])).as("another task's upload is not found")
                .hasMessage("jar upload: no upload " + one + " is open on this connection");
        assertThatThrownBy(() -> uploads.take(a, one, "x.jar")).as("900 zero bytes are no JAR")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.ENOEXEC);

        for (int i = 0; i < JarUploads.PER_TASK; i++) {
            uploads.append(b, 0, new byte[10]);
        }
        assertThatThrownBy(() -> uploads.append(b, 0, new byte[10])).extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EBUSY);
        uploads.closeAll(b);
        assertThat(uploads.openCount()).isZero();
        try (Stream<Path> left = Files.list(state)) {
            assertThat(left).as("every upload's file is gone").isEmpty();
        }
        uploads.append(a, 0, new byte[700]); // all the room is free again
        uploads.append(a, 0, new byte[700]);
    }
}
