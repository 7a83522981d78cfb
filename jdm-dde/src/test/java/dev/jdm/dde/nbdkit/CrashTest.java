package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that dereferences NULL on its 1000th write takes down the JVM it runs in, and only
 * that one: here a child JVM, later an isolated domain. The child's JVM reports the signal
 * (SIGSEGV in the plugin's tpwrite) in its fatal-error log before it exits.
 */
class CrashTest {
    @TempDir
    Path tmp;

    @Test
    void shouldDieBySigsegvInTheChildOnly() throws Exception {
        Path errorLog = tmp.resolve("hs_err.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + errorLog, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), Recorder.testPlugin("jdmtest"), "1000")
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // HotSpot catches the signal itself, writes what it caught to the error file and, with core
        // dumps off, exits with status 1; the error file is the evidence of which signal, and where.
        assertThat(child.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("write 999 done").doesNotContain("write 1000 done").doesNotContain("no crash");
        String log = Files.readString(errorLog);
        assertThat(log).contains("SIGSEGV (0xb)").containsPattern("C  \\[nbdkit-jdmtest-plugin\\.so\\+0x[0-9a-f]+\\]  tpwrite\\+");

        // This JVM is unaffected: the same plugin loads and serves here.
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "crash-write=5"), new Recorder());
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            for (int i = 0; i < 4; i++) {
                c.pwrite(a.allocate(512), 0, 0);
            }
        }
    }
}
