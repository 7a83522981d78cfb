package dev.jdm.isolation.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.DomainStartException;
import dev.jdm.isolation.process.HelloDomain;
import dev.jdm.isolation.process.TestDomains;
import dev.jdm.isolation.sys.Sys;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confined domain JVM is refused by the kernel whatever its grants do not name, even where plain
 * file permissions would let its uid in (the files here are world-readable), and reads a file the
 * host opened for it and passed as a descriptor.
 */
class ConfinedDomainTest {
    @TempDir
    Path tmp;

    private Path worldReadable(String name, String text) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name + "-dir"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }

    @Test
    void shouldBeRefusedByTheKernelOutsideItsGrants() throws Exception {
        Path outside = worldReadable("outside.txt", "secret");
        Path granted = worldReadable("granted.txt", "public");
        Path passed = worldReadable("passed.txt", "handed over");
        Path rw = Files.createDirectories(tmp.resolve("rw"));
        Files.setPosixFilePermissions(rw, PosixFilePermissions.fromString("rwxrwxrwx"));
        ConfinementPlan plan = TestDomains.plan(Grant.read(granted.getParent()), Grant.readWrite(rw));
        try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                DomainProcess d = DomainLauncher.start(TestDomains.spec("probe", ProbeDomain.class, plan,
                        outside.toString(), granted.toString(), rw.toString(), Integer.toString(tcp.getLocalPort()), passed.toString()))) {
            int fd = Sys.open(passed.toString(), Sys.O_RDONLY, 0);
            try {
                d.channel().send(ProbeDomain.PASSED_FILE, new byte[0], fd);
            } finally {
                Sys.close(fd);
            }
            Map<String, String> r = Arrays.stream(new String(d.channel().expect(ProbeDomain.REPORT).payload(), StandardCharsets.UTF_8).split("\n"))
                    .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
            assertThat(r.get("outside")).startsWith("denied:").contains("Permission denied");
            assertThat(r.get("granted")).isEqualTo("ok:public");
            assertThat(r.get("writeReadOnly")).startsWith("denied:").contains("Permission denied");
            assertThat(r.get("writeGranted")).isEqualTo("ok:domain");
            assertThat(r.get("tcp")).startsWith("denied:").contains("Permission denied");
            assertThat(r.get("shadow")).isIn("EACCES", "EPERM");
            assertThat(r.get("passedPathOpen")).isEqualTo("EACCES");
            assertThat(r.get("passedFds")).isEqualTo("1");
            assertThat(r.get("passedRead")).isEqualTo("handed over");
            assertThat(Files.readString(granted)).isEqualTo("public");
            assertThat(r.get("nofile")).isEqualTo("256/256"); // the plan's rlimit survived the exec
            assertThat(r.get("noNewPrivs")).isEqualTo("1");
            if (TestDomains.root()) {
                assertThat(d.uid()).isEqualTo(TestDomains.NOBODY);
                assertThat(d.gid()).isEqualTo(TestDomains.NOBODY);
                assertThat(Files.getOwner(rw.resolve("made-by-domain")).getName()).isEqualTo("nobody");
            }
            assertThat(d.waitFor(10_000).code()).isZero();
        }
    }

    @Test
    void shouldRefuseToStartWhenAGrantCannotBeApplied() {
        ConfinementPlan plan = TestDomains.plan(Grant.read(Path.of("/nonexistent/jdm-grant")));
        assertThatThrownBy(() -> DomainLauncher.start(TestDomains.spec("bad-grant", HelloDomain.class, plan)).close())
                .isInstanceOf(DomainStartException.class)
                .hasMessageContaining("confinement step landlock_add_rule(/nonexistent/jdm-grant) failed: ENOENT");
    }

    @Test
    void shouldRefuseToStayRootWithoutAUidToDropTo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestDomains.root(), "only a root host must name a uid");
        ConfinementPlan plan = new ConfinementPlan(-1, -1, List.of(), ResourceLimits.NONE, false);
        assertThatThrownBy(() -> DomainLauncher.start(TestDomains.spec("root", HelloDomain.class, plan)).close())
                .isInstanceOf(DomainStartException.class)
                .hasMessageContaining("confinement step setresuid failed")
                .hasMessageContaining("names no unprivileged uid");
    }
}
