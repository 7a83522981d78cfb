package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.cli.HostProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdm abi check/diff/dump/release} as processes: the check that {@code ./test} runs, so a
 * change to jdm-abi that would refuse a released generation's modules fails the build.
 */
class AbiCommandsIT {
    static final Path BASELINES = Path.of("../jdm-abi/baselines").toAbsolutePath().normalize();
    static final Path KIT = Path.of("../conformance/JDM_1.0").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    static Result jdm(String... args) throws Exception {
        return HostProcess.run(HostProcess.javaCommandAt(Path.of("/nonexistent/gate.sock"), args));
    }

    @Test
    void shouldPassTheAbiCheckAgainstEveryReleasedGeneration() throws Exception {
        Result check = jdm("abi", "check");
        assertThat(check.code()).as(check.out() + check.err()).isZero();
        assertThat(check.out()).containsPattern("^JDM_\\d+\\.\\d+: compatible with every released generation");
        assertThat(check.out()).doesNotContain("broken\t").doesNotContain("removed\t");
    }

    @Test
    void shouldDumpTheFrozenTableByteForByte() throws Exception {
        Result dump = jdm("abi", "dump", "--generation", "JDM_1.0", "--definitions");
        assertThat(dump.code()).as(dump.err()).isZero();
        assertThat(dump.out()).isEqualTo(Files.readString(BASELINES.resolve("JDM_1.0.symvers")));
        Result brief = jdm("abi", "dump", "--generation", "JDM_1.0");
        assertThat(brief.out().lines()).hasSize(331).allMatch(l -> l.matches("0x[0-9a-f]{16}\t\\S+\tJDM_1\\.0"));
        Result bad = jdm("abi", "dump", "--generation", "JDM_7.3");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("JDM_7.3 is not a generation this ABI knows");
    }

    @Test
    void shouldDiffTheKitAgainstTodaysAbi() throws Exception {
        Result diff = jdm("abi", "diff", "JDM_1.0", "current", "--modules", KIT.toString());
        assertThat(diff.code()).as(diff.err()).isZero();
        assertThat(diff.out()).containsPattern("^JDM_1\\.0 -> JDM_\\d+\\.\\d+: \\d+ added, 0 changed, 0 removed");
        Result module = jdm("abi", "diff", KIT.resolve("sec-caps.jar").toString(), "current");
        assertThat(module.out()).startsWith("caps -> ").contains("0 added, 0 changed, 0 removed");
        Result missing = jdm("abi", "diff", tmp.resolve("none.symvers").toString(), "current");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("none.symvers: cannot read (No such file or directory)");
    }

    @Test
    void shouldGiveTheSystemsReasonForAFileItCannotRead() throws Exception {
        Result insmod = jdm("insmod", tmp.resolve("nonexistent.jar").toString());
        assertThat(insmod.code()).isEqualTo(2);
        assertThat(insmod.err().strip()).isEqualTo("jdm insmod: " + tmp.resolve("nonexistent.jar") + ": cannot read (No such file or directory)");
    }

    @Test
    void shouldNeverRewriteAReleasedGeneration() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("baselines"));
        Files.copy(BASELINES.resolve("JDM_1.0.symvers"), dir.resolve("JDM_1.0.symvers"));
        Result again = jdm("abi", "release", "JDM_1.0", "--abi", BASELINES.resolve("JDM_1.0.jar").toString(), "--baselines", dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("JDM_1.0 is released already").contains("a released generation never changes");

        Path fresh = Files.createDirectories(tmp.resolve("fresh"));
        Result cut = jdm("abi", "release", "JDM_1.0", "--abi", BASELINES.resolve("JDM_1.0.jar").toString(), "--baselines", fresh.toString());
        assertThat(cut.code()).as(cut.err()).isZero();
        // cut again today, the table is written by today's expansion rules (format 2); seen as format 1
        // writes it, every fingerprint is the one released: format 2 only adds lines
        var recut = dev.jdm.symvers.stability.Baseline.parse(Files.readAllBytes(fresh.resolve("JDM_1.0.symvers")), "fresh");
        var frozen = dev.jdm.symvers.stability.Baseline.parse(Files.readAllBytes(BASELINES.resolve("JDM_1.0.symvers")), "frozen");
        assertThat(recut.fingerprintFormat()).isEqualTo(dev.jdm.symvers.Fingerprinter.FORMAT);
        assertThat(frozen.fingerprintFormat()).isEqualTo(1);
        assertThat(recut.rows()).hasSameSizeAs(frozen.rows());
        for (var row : frozen.rows()) {
            assertThat(recut.get(row.symbol()).orElseThrow().definition().inFormat(1).fingerprint()).as(row.symbol().toString())
                    .isEqualTo(row.fingerprint());
        }
        assertThat(Files.mismatch(fresh.resolve("JDM_1.0.jar"), BASELINES.resolve("JDM_1.0.jar"))).isEqualTo(-1L);
        Result wrong = jdm("abi", "release", "JDM_1.4", "--abi", BASELINES.resolve("JDM_1.0.jar").toString(), "--baselines", fresh.toString());
        assertThat(wrong.err()).contains("the ABI build serves JDM_1.0, not JDM_1.4");
    }
}
