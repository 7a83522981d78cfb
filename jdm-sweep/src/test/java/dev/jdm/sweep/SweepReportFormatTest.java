package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report in NIST SP 800-88 terms (format 2): method, pattern, verification, and per target the
 * range, whether the boot area was included and what that covers; and a format-1 report, signed by
 * an earlier jdm sweep, still verifies and reads.
 */
class SweepReportFormatTest {
    static final long SIZE = 1L << 20;

    @TempDir
    Path state;

    Sweeper.Context ctx() {
        return new Sweeper.Context(state, "testhost", "0.1.0", null, 1000);
    }

    SweepReport sweep(SweepOptions o, SweepDevice... devices) {
        List<SweepDevice> devs = List.of(devices);
        return Sweeper.start(SweepPlan.of(devs, o, true), devs, ctx(), new AtomicBoolean()).report();
    }

    static SweepOptions opts(SweepOptions.Method m, SweepOptions.Verify v, boolean bootArea) {
        return new SweepOptions(m, v, 1, bootArea, 1 << 16);
    }

    @Test
    void shouldStateTheClearMethodPatternAndVerificationOfTheRun() {
        SweepReport zeros = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, false),
                new MemorySweepDevice(MemorySweepDevice.Spec.partition("p1", SIZE)));
        assertThat(zeros.format()).isEqualTo("jdm-sweep-report/2");
        assertThat(zeros.sanitization()).isEqualTo(new Sanitization("NIST SP 800-88 Rev. 1", "Clear",
                "overwrite of user-addressable blocks through the block interface, 1 pass", "fixed value 0x00",
                "full: every written byte read back and compared after the last pass"));
        SweepReport random = sweep(opts(SweepOptions.Method.RANDOM, SweepOptions.Verify.OFF, false),
                new MemorySweepDevice(MemorySweepDevice.Spec.partition("p2", SIZE)));
        assertThat(random.sanitization().pattern()).startsWith("pseudorandom: AES-256-CTR");
        assertThat(random.sanitization().verification()).isEqualTo("none (--verify=off)");
        assertThat(random.text()).contains("standard:    NIST SP 800-88 Rev. 1 Clear: overwrite").contains("read-back:   none (--verify=off)");
    }

    @Test
    void shouldSayPerTargetWhetherTheBootAreaWasIncludedAndWhatThatCovers() {
        MemorySweepDevice guarded = new MemorySweepDevice(MemorySweepDevice.Spec.whole("disk0", SIZE));
        MemorySweepDevice lowered = new MemorySweepDevice(MemorySweepDevice.Spec.whole("disk1", SIZE).withGuard(0));
        MemorySweepDevice part = new MemorySweepDevice(MemorySweepDevice.Spec.partition("disk1p1", SIZE));
        SweepReport kept = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, false), guarded, part);
        SweepReport.Target k = kept.targets().get(0);
        assertThat(k.start()).isEqualTo(0x10000);
        assertThat(k.bootAreaIncluded()).isFalse();
        assertThat(k.coverage()).isEqualTo(Sanitization.Coverage.PARTIAL);
        assertThat(kept.targets().get(1).bootAreaIncluded()).as("a partition holds no boot area").isNull();
        assertThat(kept.targets().get(1).coverage()).isEqualTo(Sanitization.Coverage.PARTITION);
        assertThat(kept.text()).contains("range:     [0x10000, 0x100000); boot area [0, 0x10000) left unchanged")
                .contains("coverage:  not a Clear of the whole device: [0, 0x10000) was left as it was");

        SweepReport whole = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, true), lowered);
        SweepReport.Target w = whole.targets().getFirst();
        assertThat(w.start()).isZero();
        assertThat(w.bytesVerified()).isEqualTo(SIZE);
        assertThat(w.bootAreaIncluded()).isTrue();
        assertThat(w.coverage()).isEqualTo(Sanitization.Coverage.DEVICE);
        assertThat(whole.text()).contains("range:     [0x0, 0x100000); boot area included")
                .contains("coverage:  every user-addressable block, boot area included: a Clear of the whole device");
    }

    @Test
    void shouldClaimAClearOfTheDeviceOnlyWhenEveryBlockWasWrittenWithoutErrorAndSayWhenNotReadBack() {
        SweepReport unverified = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.OFF, true),
                new MemorySweepDevice(MemorySweepDevice.Spec.whole("disk2", SIZE).withGuard(0)));
        assertThat(unverified.text()).contains("coverage:  every user-addressable block, boot area included: a Clear of the whole device,"
                + " not read back");
        SweepDevice failing = new ErrorInjectingSweepDevice(new MemorySweepDevice(MemorySweepDevice.Spec.whole("disk3", SIZE).withGuard(0)),
                List.of(), List.of(new ErrorInjectingSweepDevice.Range(0x20000, 512)));
        SweepReport failed = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, true), failing);
        assertThat(failed.passed()).isFalse();
        assertThat(failed.targets().getFirst().coverage()).as("the range is still the whole device").isEqualTo(Sanitization.Coverage.DEVICE);
        assertThat(failed.text()).contains("boot area included: not a Clear while the errors below remain")
                .doesNotContain("a Clear of the whole device");
    }

    @Test
    void shouldSignTheNewFieldsSoChangingThemBreaksTheSignature() throws Exception {
        SweepReport r = sweep(opts(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, false),
                new MemorySweepDevice(MemorySweepDevice.Spec.whole("disk0", SIZE)));
        Path f = state.resolve("sweep/reports/" + r.runId() + ".json");
        ReportSigner.Checked c = ReportSigner.check(f, ReportSigner.readPublicKey(ReportSigner.publicKeyFile(state)));
        assertThat(c.report()).isEqualTo(r);
        String text = Files.readString(f);
        assertThat(text).contains("\"bootAreaIncluded\" : false");
        Files.writeString(f, text.replace("\"bootAreaIncluded\" : false", "\"bootAreaIncluded\" : true"));
        assertThatThrownBy(() -> ReportSigner.check(f, null)).extracting(e -> ((SweepException) e).errno()).isEqualTo("EBADMSG");
    }

    @Test
    void shouldStillVerifyAndShowAFormatOneReport() throws Exception {
        Path dir = Files.createDirectories(state.resolve("v1"));
        Path report = copy("report-format-1/file-random.json", dir);
        Path key = copy("report-format-1/report-key.pub", dir);
        ReportSigner.Checked c = ReportSigner.check(report, ReportSigner.readPublicKey(key));
        assertThat(c.trusted()).isTrue();
        SweepReport r = c.report();
        assertThat(r.format()).isEqualTo("jdm-sweep-report/1");
        assertThat(r.sanitization()).isNull();
        assertThat(r.targets().getFirst().bootAreaIncluded()).isNull();
        assertThat(r.targets().getFirst().coverage()).isNull();
        assertThat(r.text()).contains("result:      PASSED").contains("range:     [0x10000, 0x100000); boot area [0, 0x10000) left unchanged")
                .doesNotContain("standard:").doesNotContain("coverage:");
        // and it is the signature that holds, not a check that was skipped
        Files.writeString(report, Files.readString(report).replace("\"bytesWritten\" : 983040", "\"bytesWritten\" : 1048576"));
        assertThatThrownBy(() -> ReportSigner.check(report, ReportSigner.readPublicKey(key)))
                .extracting(e -> ((SweepException) e).errno()).isEqualTo("EBADMSG");
    }

    @Test
    void shouldRefuseAFormatItDoesNotKnowNamingIt() throws Exception {
        Path dir = Files.createDirectories(state.resolve("v9"));
        Path report = copy("report-format-1/file-random.json", dir);
        Files.writeString(report, Files.readString(report).replace("jdm-sweep-report/1", "jdm-sweep-report/9"));
        assertThatThrownBy(() -> ReportSigner.check(report, null)).hasMessageContaining("report format \"jdm-sweep-report/9\" is not one this jdm reads")
                .extracting(e -> ((SweepException) e).errno()).isEqualTo("EINVAL");
    }

    static Path copy(String resource, Path dir) throws Exception {
        try (InputStream in = SweepReportFormatTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            Path out = dir.resolve(Path.of(resource).getFileName().toString());
            Files.copy(in, out);
            return out;
        }
    }
}
