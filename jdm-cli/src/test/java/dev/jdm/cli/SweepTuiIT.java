package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.sweep.ReportSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jdm sweep --tui} in a real terminal: tmux runs it, send-keys types, capture-pane reads the screen. */
class SweepTuiIT {
    static final Path CLI = Path.of(System.getProperty("jdm.cli.dir", "target"));

    @TempDir
    Path dir;

    String socket;

    @BeforeEach
    void needTmux() throws Exception {
        boolean present;
        try {
            present = new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
        } catch (java.io.IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, "tmux is not installed: the TUI test drives jdm sweep --tui through it (apt-get install tmux)");
        socket = "jdm-sweep-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void killServer() throws Exception {
        if (socket != null) {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    void start(String... sweepArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("jdm.java", "java"), "--enable-native-access=ALL-UNNAMED",
                "-cp", CLI.resolve("jdm-cli.jar") + ":" + CLI.resolve("lib") + "/*", "dev.jdm.cli.Main",
                "sweep", "--tui", "--state-dir", dir.resolve("state").toString(),
                "--memory-device", "ram0:64M,model=RAMDISK", "--memory-device", "ram0p1:128M,part"));
        cmd.addAll(List.of(sweepArgs));
        String line = cmd.stream().map(SweepTuiIT::quote).collect(Collectors.joining(" ")) + "; echo EXIT=$?; sleep 60";
        tmux("new-session", "-d", "-s", "sweep", "-x", "120", "-y", "35", line);
        waitFor("Quit (Q)"); // the last thing drawn
    }

    String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", "sweep");
    }

    String waitFor(String text) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String s = "";
        while (System.nanoTime() < end) {
            s = screen();
            if (s.contains(text)) {
                return s;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the screen never showed \"" + text + "\":\n" + s);
    }

    void keys(String... keys) throws Exception {
        for (String k : keys) {
            tmux("send-keys", "-t", "sweep", k);
            Thread.sleep(150);
        }
    }

    List<Path> reports() throws Exception {
        Path d = dir.resolve("state/sweep/reports");
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }

    @Test
    void shouldShowTheReadOnlyBannerAndOnlyThePlanWithoutWrite() throws Exception {
        start();
        String s = screen();
        assertThat(s).contains("jdm sweep (read-only): READ-ONLY. Nothing will be written").contains("[ ] ram0")
                .contains("RAMDISK").contains("[ ] ram0p1").contains("<o> zeros").contains("<o> last").contains("Start (S)");
        keys("Space", "s");
        s = waitFor("read-only: this is what --write would do; nothing was written");
        assertThat(s).contains("[x] ram0").contains("ram0: bytes [0x10000, 0x4000000) with zeros, verify last");
        keys("q");
        waitFor("EXIT=0");
        assertThat(reports()).isEmpty();
    }

    @Test
    void shouldSweepTheCheckedPartitionWithTheChosenOptionsAndShowTheResult() throws Exception {
        start("--write");
        assertThat(screen()).contains("WRITE MODE").doesNotContain("READ-ONLY");
        keys("Down", "Space", "Tab", "Down", "Space", "Tab", "Down", "Down", "Space", "s"); // ram0p1, random, verify all
        String s = waitFor("result: PASSED");
        assertThat(s).contains("[x] ram0p1").contains("<o> random").contains("<o> all").contains("ram0p1     [##############################] 100% done");
        keys("q");
        waitFor("EXIT=0");
        assertThat(reports()).singleElement().satisfies(r -> {
            ReportSigner.Checked c = ReportSigner.check(r, ReportSigner.readPublicKey(ReportSigner.publicKeyFile(dir.resolve("state"))));
            assertThat(c.report().method()).isEqualTo("random");
            assertThat(c.report().verify()).isEqualTo("all");
            assertThat(c.report().targets().getFirst().name()).isEqualTo("ram0p1");
            assertThat(c.report().targets().getFirst().bytesVerified()).isEqualTo(128L << 20);
        });
    }

    @Test
    void shouldNameTheBootAreaInTheBannerAndTheConfirmationWhenItIsIncluded() throws Exception {
        start("--write", "--include-boot-area", "--memory-device", "disk1:8M,guard=0");
        assertThat(screen()).contains("boot area below 0x10000 INCLUDED");
        keys("Down", "Down", "Space", "s"); // disk1, whose guard is down
        waitFor("Everything on disk1 will be lost, the boot area (partition table, boot loader) included.");
        keys("Enter"); // No
        waitFor("not confirmed; nothing was written");
        keys("Up", "Up", "Space", "s"); // and ram0 as well, whose guard is up: refused, nothing asked
        waitFor("refused: ram0: the device guards its first 0x10000 bytes");
        keys("q");
        waitFor("EXIT=0");
        assertThat(reports()).isEmpty();
    }

    @Test
    void shouldAskBeforeAWholeDeviceAndWriteNothingWhenNotConfirmed() throws Exception {
        start("--write");
        keys("Space", "s");
        waitFor("outside the boot area will be lost");
        keys("Enter"); // the dialog's first button: No
        waitFor("not confirmed; nothing was written");
        keys("q");
        waitFor("EXIT=0");
        assertThat(reports()).isEmpty();
    }
}
