package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jdm host} as systemd runs it ({@code packaging/jdm.service}): NOTIFY_SOCKET names a
 * datagram socket of the test's own, stderr is a file whose device and inode JOURNAL_STREAM gives
 * (as it names the journal's stream), and SIGHUP re-reads the config's sysctls and devacl's policy.
 */
class HostServiceIT {
    @Test
    void shouldNotifyReadyReloadOnSighupAndNotifyStopping() throws Throwable {
        Path dir = Files.createTempDirectory("jdm-service-it");
        Path config = dir.resolve("host.toml");
        Files.writeString(config, "[sysctl]\n\"kmem.debug\" = \"0\"\n");
        Path stderr = dir.resolve("stderr.log");
        Files.createFile(stderr);
        String journal = Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino");
        try (NotifyReceiver systemd = new NotifyReceiver("@jdm-service-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime())) {
            HostProcess host = HostProcess.start(dir, pb -> {
                pb.environment().put("NOTIFY_SOCKET", systemd.name());
                pb.environment().put("JOURNAL_STREAM", journal);
                pb.redirectErrorStream(false).redirectError(stderr.toFile());
            }, "--config", config.toString(), "--nbd-tcp", "off");
            try {
                List<String> ready = systemd.receive(1, 30_000);
                assertThat(ready).singleElement().asString().startsWith("READY=1\n").contains("STATUS=serving " + host.socket())
                        .contains("MAINPID=" + host.process().pid());
                assertThat(host.banner()).as("the banner stays on stdout").anyMatch(l -> l.startsWith("call gate: "));
                assertThat(Files.readString(stderr)).as("log lines carry syslog priorities on the journal stream")
                        .containsPattern("(?m)^<6>\\[ *\\d+\\.\\d{6}\\] host: jdm ");

                Files.writeString(config, "[sysctl]\n\"kmem.debug\" = \"1\"\n");
                Files.createDirectories(dir.resolve("state/security"));
                Files.writeString(dir.resolve("state/security/devacl.policy"),
                        "default = \"none\"\n[[rule]]\ndevice = \"ram*\"\nallow = [\"read\"]\n");
                assertThat(HostProcess.run(List.of("kill", "-HUP", Long.toString(host.process().pid()))).code()).isZero();
                List<String> reload = systemd.receive(2, 30_000);
                assertThat(reload).hasSize(2);
                assertThat(reload.get(0)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
                assertThat(reload.get(1)).startsWith("READY=1\nSTATUS=reloaded; serving");
                assertThat(host.process().isAlive()).as("SIGHUP reloads, it does not stop the host").isTrue();
                assertThat(host.jdm("sysctl", "kmem.debug").out().strip()).isEqualTo("kmem.debug = 1");
                assertThat(host.jdm("dmesg").out()).contains("policy in force: 1 rules, default none")
                        .contains("reload: sysctl kmem.debug = 1");
            } finally {
                host.close();
            }
            assertThat(systemd.receive(1, 30_000)).containsExactly("STOPPING=1");
            assertThat(Files.readString(stderr)).containsPattern("(?m)^<6>\\[ *\\d+\\.\\d{6}\\] host: stopped$");
        }
    }

    @Test
    void shouldKeepTheLogOnTheConsoleWhenStderrIsNotTheJournal() throws Throwable {
        Path dir = Files.createTempDirectory("jdm-service-it");
        try (HostProcess host = HostProcess.start(dir, pb -> pb.environment().put("JOURNAL_STREAM", "1:1"), "--nbd-tcp", "off")) {
            assertThat(host.banner()).anyMatch(l -> l.matches("\\[ *\\d+\\.\\d{6}\\] host: jdm .*")).noneMatch(l -> l.startsWith("<"));
        }
    }

    /** nohup (or a shell, a test runner) hands the host SIGHUP ignored; the JVM would keep that and drop every reload. */
    @Test
    void shouldReloadOnSighupEvenWhenStartedWithItIgnored() throws Throwable {
        Path dir = Files.createTempDirectory("jdm-service-it");
        Path config = dir.resolve("host.toml");
        Files.writeString(config, "[sysctl]\n\"kmem.debug\" = \"0\"\n");
        try (HostProcess host = HostProcess.start(dir, pb -> pb.command().addFirst("nohup"), "--config", config.toString(), "--nbd-tcp", "off")) {
            Path status = Path.of("/proc/" + host.process().pid() + "/status");
            java.util.regex.Pattern sighupIgnored = java.util.regex.Pattern.compile("(?m)^SigIgn:\\s+\\p{XDigit}*[13579bBdDfF]$");
            for (int i = 0; i < 100 && sighupIgnored.matcher(Files.readString(status)).find(); i++) {
                Thread.sleep(100); // the banner comes before the host takes SIGHUP
            }
            assertThat(Files.readString(status)).as("the host's SIGHUP is no longer ignored").doesNotContainPattern(sighupIgnored);
            Files.writeString(config, "[sysctl]\n\"kmem.debug\" = \"1\"\n");
            assertThat(HostProcess.run(List.of("kill", "-HUP", Long.toString(host.process().pid()))).code()).isZero();
            String value = "";
            for (int i = 0; i < 100 && !value.equals("kmem.debug = 1"); i++) {
                Thread.sleep(100);
                value = host.jdm("sysctl", "kmem.debug").out().strip();
            }
            assertThat(value).as("the reload happened").isEqualTo("kmem.debug = 1");
            assertThat(host.process().isAlive()).isTrue();
        }
    }
}
