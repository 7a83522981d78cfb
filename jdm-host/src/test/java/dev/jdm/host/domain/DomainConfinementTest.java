package dev.jdm.host.domain;

import dev.jdm.isolation.process.ReadableClassPath;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.confine.Grant;
import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.DomainSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A domain started with the plan the host gives every domain ({@link DomainManager#spec}) can open
 * nothing it was not granted: a world-readable file outside its grants is refused by the kernel
 * (Landlock), while the same read from the host succeeds; a path granted to the whole domain can
 * be read there.
 */
class DomainConfinementTest {
    @Test
    void shouldNotReadAWorldReadableFileOutsideItsGrants() throws Exception {
        assertThat(probe(List.of())).as("the domain's read").startsWith("AccessDeniedException");
    }

    @Test
    void shouldReadWhatADomainWideGrantRuleLetsItsProcessesOpen() throws Exception {
        // a [[grant]] rule with domain = "isolated:probe" becomes a Landlock rule of the domain's processes
        var policy = new dev.jdm.host.grant.GrantPolicy(List.of(dev.jdm.host.grant.GrantRule.of(null, "isolated:probe", "/PLACEHOLDER", "ro")),
                () -> true);
        assertThat(policy.landlockPaths("probe")).hasSize(1);
        assertThat(policy.landlockPaths("other")).isEmpty();
        assertThat(probe(null)).as("the domain's read, granted").isEqualTo("read 15 bytes");
    }

    /** What a domain reads of a world-readable file in a fresh directory; {@code grants} null grants that directory. */
    private static String probe(List<Grant> grants) throws Exception {
        Path dir = Files.createTempDirectory("jdm-domain-probe-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.writeString(dir.resolve("secret"), "not for drivers");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(Files.readString(secret)).as("the host reads it, and so would any uid by DAC").isEqualTo("not for drivers");

        List<Path> cp = new ArrayList<>(DomainManager.codeSources());
        cp.add(Path.of(ReadProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        ReadableClassPath reachable = ReadableClassPath.of(cp, dev.jdm.isolation.sys.Sys.geteuid() == 0);
        DomainSpec host = DomainManager.spec("probe", reachable.entries(), grants == null ? List.of(Grant.read(dir.toRealPath())) : grants);
        DomainSpec spec = new DomainSpec("probe", host.classPath(), ReadProbe.class.getName(), List.of(secret.toString()),
                host.jvmOptions(), host.plan(), host.environment(), host.startTimeoutMillis(), null);
        try (DomainProcess p = DomainLauncher.start(spec)) {
            assertThat(p.landlockAbi()).as("confined with Landlock").isPositive();
            Frame f = p.channel().expect(ReadProbe.RESULT);
            return new String(f.payload(), StandardCharsets.UTF_8);
        } finally {
            reachable.close();
            Files.delete(secret);
            Files.delete(dir);
        }
    }
}
