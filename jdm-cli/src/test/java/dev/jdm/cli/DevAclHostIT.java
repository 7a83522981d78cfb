package dev.jdm.cli;

import dev.jdm.host.config.NbdOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.sec.ChrCall;
import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled devacl, caps and audit JARs in a host started in this process, deciding dev_open for
 * device descriptors as the block and char layers will pass them. (The NBD/block end-to-end test
 * on a real LU joins when the block layer is merged.)
 */
class DevAclHostIT {
    static final Path MODULES = Path.of(System.getProperty("jdm.cli.dir", "target")).resolve("modules").toAbsolutePath();
    static final String POLICY = """
            # who may open what
            default = "deny"

            [[rule]]
            device = "ram*"
            kind = "block"
            uid = [1000]
            allow = ["read"]

            [[rule]]
            device = ["ram*", "mem"]
            gid = 6
            allow = ["read", "write", "ioctl"]

            [[rule]]
            device = "kbd*"
            kind = "char"
            gid = 6
            allow = ["read", "call"]
            """;

    @TempDir
    Path tmp;
    Host host;
    Task root;

    @BeforeEach
    void start() throws Exception {
        // NBD TCP off: the default port may be taken by another host on this machine
        host = Host.start(new Host.Options(null, tmp.resolve("gate.sock"), tmp.resolve("state"), MODULES, null,
                new NbdOptions(null, "off", java.util.List.of())));
        assertThat(host.startupErrors()).isEmpty();
        root = host.tasks().create("admin", new Credentials(0, 0, -1));
        host.security().reload(root, "devacl", POLICY);
    }

    @AfterEach
    void stop() {
        host.close();
    }

    static DevOpen ram0(int access) {
        return new DevOpen(DeviceKind.BLOCK, "ram0", 0, 6, 0666, access); // caps allows everyone: devacl decides
    }

    private String open(Task t, DevOpen d) {
        try {
            host.security().checkDevOpen(t, d);
            return "allow";
        } catch (HostException e) {
            return e.code() + ": " + e.getMessage();
        }
    }

    @Test
    void shouldDecideDevOpenFromThePolicy() {
        Task reader = host.tasks().create("nbd", new Credentials(1000, 1000, -1));
        Task disk = host.tasks().create("nbd", new Credentials(1001, 6, -1));
        Task stranger = host.tasks().create("nbd", new Credentials(1002, 1002, -1));
        assertThat(open(reader, ram0(DevOpen.READ))).isEqualTo("allow");
        assertThat(open(reader, ram0(DevOpen.READ | DevOpen.WRITE))).startsWith("EACCES: dev_open block ram0")
                .contains("denied by devacl: rule 1 (line 5) grants uid 1000 only [read] on ram0");
        assertThat(open(disk, ram0(DevOpen.READ | DevOpen.WRITE))).isEqualTo("allow");
        assertThat(open(stranger, ram0(DevOpen.READ))).contains("denied by devacl: no rule grants [read] on ram0 to uid 1002");
        assertThatThrownBy(() -> host.security().checkChrCall(stranger, new ChrCall("mem", "ioctl", 0x5401)))
                .hasMessageContaining("denied by devacl");
        host.security().checkChrCall(disk, new ChrCall("mem", "ioctl", 0x5401));
        assertThatThrownBy(() -> host.security().checkChrCall(disk, new ChrCall("mem", "feed", 0)))
                .as("a typed call is the call operation, which the mem rule does not grant")
                .hasMessageContaining("denied by devacl: rule 2 (line 11) grants uid 1001 only [read, write, ioctl] on mem");
        host.security().checkChrCall(disk, new ChrCall("kbd0", "feed", 0));
        assertThatThrownBy(() -> host.security().checkChrCall(disk, new ChrCall("kbd0", "ioctl", 0x80044501L)))
                .hasMessageContaining("grants uid 1001 only [read, call] on kbd0");
        assertThatThrownBy(() -> host.security().checkChrCall(stranger, new ChrCall("kbd0", "feed", 0)))
                .hasMessageContaining("denied by devacl: no rule grants [call] on kbd0 to uid 1002");
    }

    @Test
    void shouldReportCapsBeforeDevaclWhenBothDenyAndAuditBothVotes() throws Exception {
        Task stranger = host.tasks().create("nbd", new Credentials(1002, 1002, 4242));
        DevOpen private0 = new DevOpen(DeviceKind.BLOCK, "ram1", 0, 6, 0600, DevOpen.READ);
        assertThat(open(stranger, private0)).as("both deny with EACCES: the module name that sorts first reports")
                .contains("denied by caps: ram1 is mode 0600 owner 0 group 6; uid 1002 (other) lacks read");
        String line = Files.readAllLines(tmp.resolve("state/security/audit/audit.log")).stream()
                .filter(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("ram1")).findFirst().orElseThrow();
        assertThat(line).contains("\"task\":{\"id\":" + stranger.id() + ",\"uid\":1002,\"gid\":1002,\"pid\":4242")
                .contains("\"object\":\"block ram1 access=r owner=0 group=6 mode=0600\"")
                .contains("{\"module\":\"audit\",\"mode\":\"enforcing\",\"vote\":\"no_opinion\"}")
                .contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"deny\",\"errno\":13")
                .contains("{\"module\":\"devacl\",\"mode\":\"enforcing\",\"vote\":\"deny\",\"errno\":13,\"reason\":\"no rule grants [read] on ram1")
                .contains("\"verdict\":\"deny\",\"errno\":\"EACCES\",\"by\":\"caps\"");
    }

    @Test
    void shouldRefuseAPolicyWithASyntaxErrorAndKeepTheOldOne() throws Exception {
        Task reader = host.tasks().create("nbd", new Credentials(1000, 1000, -1));
        for (String[] bad : List.of(
                new String[] {"default = \"deny\"\n[[rule]]\ndevice = \"ram*\"\nallow = [\"read\", \"exec\"]\n", "line 4, column 18: unknown operation \"exec\""},
                new String[] {"default = \"deny\"\n[[rule]]\ndevice = \"ram*\nallow = [\"read\"]\n", "line 3, column 15: unterminated string"},
                new String[] {"default = 'maybe'\n", "line 1, column 11: default must be"},
                new String[] {"[[rule]]\ndevcie = \"ram*\"\nallow = [\"read\"]\n", "line 2, column 1: rule 1: unknown key devcie"},
                new String[] {"[rules]\n", "line 1, column 1: only [[table]] arrays of tables are supported"})) {
            assertThatThrownBy(() -> host.security().reload(root, "devacl", bad[0])).isInstanceOf(HostException.class)
                    .hasMessageContaining("devacl: policy " + bad[1]).hasMessageContaining("the previous policy stays in force");
        }
        assertThat(open(reader, ram0(DevOpen.READ))).isEqualTo("allow");
        assertThat(open(reader, ram0(DevOpen.WRITE))).contains("rule 1 (line 5)");
        assertThat(Files.readString(tmp.resolve("state/security/devacl.policy"))).isEqualTo(POLICY);
    }

    @Test
    void shouldOnlyLetAdministratorsReloadPolicies() {
        Task user = host.tasks().create("gate", new Credentials(1000, 1000, -1));
        assertThatThrownBy(() -> host.security().reload(user, "devacl", "default = \"allow\"\n"))
                .hasMessageContaining("sysctl_write sysctl security.policy.devacl").hasMessageContaining("denied by caps");
    }
}
