package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The security stack end to end: {@code jdm host} as a process with its default modules (caps,
 * devacl, audit), driven by {@code jdm} CLI processes as root and, through setpriv, as nobody.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityProcessIT {
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path CLI = Path.of(System.getProperty("jdm.cli.dir", "target")).toAbsolutePath();
    static HostProcess host;
    static Path dir;

    static Result run(List<String> cmd) throws Exception {
        return HostProcess.run(cmd);
    }

    static Result jdm(String... args) throws Exception {
        return host.jdm(args);
    }

    /** The CLI as uid/gid 65534 (nobody) with no supplementary groups. */
    static Result jdmAsNobody(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(host.javaCommand(args));
        return run(cmd);
    }

    @BeforeAll
    static void startHost() throws Exception {
        assumeTrue(Files.isExecutable(SETPRIV), "setpriv (util-linux) is missing: cannot run the CLI as another user; install util-linux");
        assumeTrue(dev.jdm.host.sys.Libc.getuid() == 0, "these tests switch users with setpriv and need to run as root");
        host = HostProcess.start("jdm-sec-it", "--nbd-tcp", "off");
        dir = host.dir();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody must reach the sockets
        assertThat(host.banner()).as("host banner").anyMatch(l -> l.contains("module:    caps (live)"))
                .anyMatch(l -> l.contains("module:    devacl (live)")).anyMatch(l -> l.contains("module:    audit (live)"));
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static List<String> auditLines() throws IOException {
        return Files.readAllLines(dir.resolve("state/security/audit/audit.log"));
    }

    @Test
    @Order(1)
    void shouldListTheSecurityStack() throws Exception {
        Result ls = jdm("sec", "ls");
        assertThat(ls.code()).as(ls.err()).isZero();
        assertThat(ls.out()).containsPattern("caps\\s+live\\s+enforcing\\s+refs=\\d+").containsPattern("audit\\s+live\\s+enforcing\\s+refs=\\d+")
                .contains("stack unlocked");
        assertThat(jdm("sec", "ls", "--json").out()).contains("\"name\" : \"devacl\"").contains("\"stack_locked\" : false");
    }

    @Test
    @Order(2)
    void shouldDenyInsmodToNobodyAndAllowRoot() throws Exception {
        Result nobody = jdmAsNobody("insmod", CLI.resolve("modules/kstack.jar").toString());
        assertThat(nobody.code()).as(nobody.out() + nobody.err()).isEqualTo(1);
        assertThat(nobody.err()).contains("jdm insmod: module_load module kstack").contains("denied by caps: uid 65534 may not load modules")
                .contains("[EPERM]");
        assertThat(nobody.err().lines().toList()).hasSize(1);
        assertThat(jdm("lsmod").out()).doesNotContain("kstack");
        Result root = jdm("insmod", CLI.resolve("modules/kstack.jar").toString());
        assertThat(root.code()).as(root.err()).isZero();
        Result sysctl = jdmAsNobody("sysctl", "-w", "kmem.debug=1");
        assertThat(sysctl.err()).contains("denied by caps: uid 65534 may not write sysctls");
    }

    @Test
    @Order(3)
    void shouldRecordEveryModulesVoteInTheAuditLog() throws Exception {
        String denied = auditLines().stream().filter(l -> l.contains("\"hook\":\"module_load\"") && l.contains("\"uid\":65534"))
                .findFirst().orElseThrow();
        assertThat(denied).contains("\"object\":\"module kstack 1.0 from ")
                .contains("{\"module\":\"audit\",\"mode\":\"enforcing\",\"vote\":\"no_opinion\"}")
                .contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"deny\",\"errno\":1,\"reason\":\"uid 65534 may not load modules")
                .contains("{\"module\":\"devacl\",\"mode\":\"enforcing\",\"vote\":\"no_opinion\"}")
                .contains("\"verdict\":\"deny\",\"errno\":\"EPERM\",\"by\":\"caps\"");
        assertThat(auditLines()).anyMatch(l -> l.contains("\"hook\":\"module_load\"") && l.contains("\"uid\":0")
                && l.contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"allow\"}") && l.contains("\"verdict\":\"allow\""));
    }

    @Test
    @Order(4)
    void shouldLetDevaclDenyNobodyOpeningRam0OverNbdAndAuditEveryVote() throws Exception {
        Path nbdinfo = Path.of("/usr/bin/nbdinfo");
        assumeTrue(Files.isExecutable(nbdinfo), "nbdinfo (libnbd-bin) is missing: cannot open ram0 over NBD");
        // let group 65534 pass caps' /dev-style check, so that devacl is the one that decides
        assertThat(jdm("sysctl", "-w", "blk.device_gid=65534").code()).isZero();
        Path policy = Files.writeString(dir.resolve("devacl.toml"), """
                default = "allow"

                [[rule]]
                device = "ram*"
                kind = "block"
                uid = [65534]
                deny = ["write"]
                """);
        Result reload = jdm("sec", "reload", "devacl", policy.toString());
        assertThat(reload.code()).as(reload.err()).isZero();
        // an administrator opens the NBD socket to everyone: the security stack still decides who gets in
        Path nbdSocket = dir.resolve("nbd.sock");
        Files.setPosixFilePermissions(nbdSocket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String uri = "nbd+unix:///ram0?socket=" + nbdSocket;

        Result nobody = run(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", nbdinfo.toString(), uri));
        assertThat(nobody.code()).as(nobody.out() + nobody.err()).isNotZero();
        Result root = run(List.of(nbdinfo.toString(), uri));
        assertThat(root.code()).as(root.out() + root.err()).isZero();
        assertThat(root.out()).contains("export-size: 268435456");

        String denied = auditLines().stream().filter(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("\"uid\":65534")).findFirst()
                .orElseThrow(() -> new AssertionError("no dev_open decision for uid 65534 in the audit log"));
        assertThat(denied).contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"allow\"}")
                .contains("{\"module\":\"devacl\",\"mode\":\"enforcing\",\"vote\":\"deny\"")
                .contains("denies write on ram0 to uid 65534")
                .contains("{\"module\":\"audit\",\"mode\":\"enforcing\",\"vote\":\"no_opinion\"}")
                .contains("\"verdict\":\"deny\"");
        assertThat(auditLines()).anyMatch(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("\"uid\":0") && l.contains("\"verdict\":\"allow\""));
        assertThat(auditLines()).anyMatch(l -> l.contains("\"hook\":\"export_connect\"") && l.contains("\"uid\":65534"));
    }

    @Test
    @Order(5)
    void shouldLetCapsDecideWhoMovesABootGuardOrChangesExports() throws Exception {
        Result guard = jdmAsNobody("blk", "guard", "ram0", "0");
        assertThat(guard.code()).as(guard.out() + guard.err()).isEqualTo(1);
        assertThat(guard.err()).contains("blk.ram0.boot_guard").contains("denied by caps: uid 65534 may not write sysctls")
                .contains("[EPERM]");
        Result export = jdmAsNobody("export", "add", "--memory", "1M", "--name", "mine", "scratch0");
        assertThat(export.code()).as(export.out() + export.err()).isEqualTo(1);
        assertThat(export.err()).contains("nbd.exports.mine").contains("denied by caps");
        Result unexport = jdmAsNobody("export", "rm", "ram0");
        assertThat(unexport.err()).contains("nbd.exports.ram0").contains("denied by caps");
        assertThat(jdm("export", "ls").out()).contains("ram0").doesNotContain("mine");
        assertThat(auditLines()).anyMatch(l -> l.contains("\"hook\":\"sysctl_write\"") && l.contains("blk.ram0.boot_guard")
                && l.contains("\"uid\":65534") && l.contains("\"verdict\":\"deny\""));
        Result root = jdm("blk", "guard", "ram0", "65536");
        assertThat(root.code()).as(root.err()).isZero();
    }

    @Test
    @Order(6)
    void shouldReplaceCapsWithAPermissiveOneThatOnlyRecords() throws Exception {
        Result rep = jdm("sec", "replace", "caps", CLI.resolve("modules/sec-caps.jar").toString(), "mode=permissive");
        assertThat(rep.code()).as(rep.err()).isZero();
        assertThat(rep.out()).contains("caps: replaced by caps (live)");
        assertThat(jdm("sec", "ls").out()).containsPattern("caps\\s+live\\s+permissive");
        Result nobody = jdmAsNobody("insmod", CLI.resolve("modules/kstack-user.jar").toString());
        assertThat(nobody.code()).as("permissive caps never denies: " + nobody.err()).isZero();
        assertThat(auditLines()).anyMatch(l -> l.contains("\"uid\":65534") && l.contains("\"object\":\"module kstack-user")
                && l.contains("{\"module\":\"caps\",\"mode\":\"permissive\",\"vote\":\"deny\"") && l.contains("\"verdict\":\"allow\""));
    }

    @Test
    @Order(7)
    void shouldRefuseSecurityModulesAfterTheStackIsLockedEvenForRoot() throws Exception {
        Result rm = jdm("rmmod", "devacl");
        assertThat(rm.code()).as(rm.err()).isZero();
        for (int i = 0; i < 100 && jdm("lsmod").out().contains("devacl"); i++) {
            Thread.sleep(100); // it drains until the rmmod connection's task has gone
        }
        assertThat(jdm("lsmod").out()).doesNotContain("devacl");
        assertThat(jdm("sysctl", "-w", "security.stack_locked=1").code()).isZero();
        Result ins = jdm("insmod", CLI.resolve("modules/sec-devacl.jar").toString());
        assertThat(ins.code()).isEqualTo(1);
        assertThat(ins.err()).contains("security.stack_locked=1").contains("[EPERM]");
        assertThat(jdm("lsmod").out()).doesNotContain("devacl");
        Result rmAudit = jdm("rmmod", "audit");
        assertThat(rmAudit.err()).contains("security module unload refused: security.stack_locked=1");
        Result unlock = jdm("sysctl", "-w", "security.stack_locked=0");
        assertThat(unlock.err()).contains("cannot be cleared");
        assertThat(jdm("sec", "ls").out()).contains("stack locked");
        Result plain = jdm("rmmod", "kstack-user");
        assertThat(plain.code()).as("ordinary modules still unload: " + plain.err()).isZero();
    }
}
