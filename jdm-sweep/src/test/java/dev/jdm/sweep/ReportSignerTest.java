package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportSignerTest {
    @TempDir
    Path dir;

    static SweepReport report() {
        return new SweepReport(SweepReport.FORMAT, "run-1", "testhost", "0.1.0", "zeros", 1, "last",
                Sanitization.of(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1), "2026-01-01T00:00:00Z",
                "2026-01-01T00:01:00Z", 0, "passed", List.of(new SweepReport.Target("ram0", 1 << 20, 512, true, "RAMDISK", null,
                        0x10000, 1 << 20, false, Sanitization.Coverage.PARTIAL, (1 << 20) - 0x10000, (1 << 20) - 0x10000, true, "passed", 0, List.of(), 0, "passed")));
    }

    Path signed() throws Exception {
        return Files.write(dir.resolve("r.json"), ReportSigner.loadOrCreate(dir).sign(report()));
    }

    @Test
    void shouldVerifyAReportSignedByTheStateDirectoryKey() throws Exception {
        Path f = signed();
        ReportSigner.Checked c = ReportSigner.check(f, ReportSigner.readPublicKey(ReportSigner.publicKeyFile(dir)));
        assertThat(c.trusted()).isTrue();
        assertThat(c.report()).isEqualTo(report());
        assertThat(c.keyId()).startsWith("SHA256:");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ReportSigner.keyFile(dir)))).isEqualTo("rw-------");
        // the key is made once: a second signer signs with the same key
        assertThat(ReportSigner.loadOrCreate(dir).publicKey()).isEqualTo(ReportSigner.readPublicKey(ReportSigner.publicKeyFile(dir)));
        // re-indenting the file changes nothing the signature covers
        String compact = Files.readString(f).replaceAll("\\n\\s*", "");
        assertThat(ReportSigner.check(Files.writeString(dir.resolve("compact.json"), compact), null).trusted()).isFalse();
    }

    @Test
    void shouldFailATamperedReport() throws Exception {
        Path f = signed();
        String text = Files.readString(f);
        assertThat(text).contains("\"bytesVerified\" : 983040");
        Files.writeString(f, text.replace("\"bytesVerified\" : 983040", "\"bytesVerified\" : 1048576"));
        assertThatThrownBy(() -> ReportSigner.check(f, null)).isInstanceOf(SweepException.class)
                .hasMessageContaining("the signature does not match: the report was changed after it was signed")
                .extracting(e -> ((SweepException) e).errno()).isEqualTo("EBADMSG");
    }

    @Test
    void shouldFailAReportSignedByAnotherKey() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        Path f = Files.write(dir.resolve("o.json"), ReportSigner.loadOrCreate(other).sign(report()));
        ReportSigner.loadOrCreate(dir);
        assertThatThrownBy(() -> ReportSigner.check(f, ReportSigner.readPublicKey(ReportSigner.publicKeyFile(dir))))
                .hasMessageContaining("or signed by another key than SHA256:");
    }

    @Test
    void shouldRefuseUnreadableReportsWithOneClearError() throws Exception {
        assertThatThrownBy(() -> ReportSigner.check(dir.resolve("missing.json"), null)).hasMessageEndingWith("missing.json: no such report");
        Path garbage = Files.writeString(dir.resolve("g.json"), "{not json");
        assertThatThrownBy(() -> ReportSigner.check(garbage, null)).hasMessageContaining("g.json: not a JSON sweep report");
        Path other = Files.writeString(dir.resolve("x.json"), "{\"hello\": 1}");
        assertThatThrownBy(() -> ReportSigner.check(other, null)).hasMessageContaining("x.json: not a signed jdm sweep report");
        Path text = Files.writeString(dir.resolve("r.txt"), report().text());
        assertThatThrownBy(() -> ReportSigner.check(text, null)).extracting(e -> ((SweepException) e).errno()).isEqualTo("EINVAL");
    }
}
