package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.config.HostConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** packaging/: the systemd unit runs a command line jdm takes, and the config it names loads. */
class PackagingTest {
    static final Path PACKAGING = Path.of("../packaging").toAbsolutePath().normalize();

    @Test
    void shouldRunTheHostAsANotifyServiceThatReloadsOnSighup() throws Exception {
        List<String> unit = Files.readAllLines(PACKAGING.resolve("jdm.service"));
        assertThat(unit).contains("Type=notify", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID");
        String exec = unit.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow().substring("ExecStart=".length());
        String[] words = exec.split(" ");
        assertThat(words[0]).endsWith("/jdm");
        String[] args = Arrays.copyOfRange(words, 1, words.length);
        assertThat(args).containsExactly("host", "--config", "/etc/jdm/host.toml");
        var parsed = JdmCommand.commandLine(args).parseArgs(args);
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("host");
        assertThat(parsed.subcommand().matchedOptionValue("--config", null).toString()).isEqualTo("/etc/jdm/host.toml");
    }

    @Test
    void shouldShipAConfigTheHostLoads() {
        HostConfig config = HostConfig.load(PACKAGING.resolve("host.toml"));
        assertThat(config.paths().socket()).isEqualTo("/run/jdm/gate.sock");
        assertThat(config.paths().stateDir()).isEqualTo("/var/lib/jdm");
        assertThat(config.sysctl()).containsEntry("log.console_level", "6");
    }
}
