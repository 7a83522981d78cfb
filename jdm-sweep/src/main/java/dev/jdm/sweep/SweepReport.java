package dev.jdm.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.jdm.sweep.SweepState.ErrorEntry;
import java.util.List;

/**
 * The certificate of a finished run: what was swept, how, when, by which host, and how it went.
 * Written as signed JSON ({@link ReportSigner}) and as text ({@link #text()}).
 *
 * <p>Format 2 added {@code sanitization} (the run in NIST SP 800-88 terms) and, per target,
 * {@code bootAreaIncluded} and {@code coverage}. A format-1 report reads with those null, and its
 * signature still covers exactly the fields it was signed with.
 *
 * @param result {@code passed} when every byte was written (and, with verify, read back as
 *     written) without an error; {@code failed} otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SweepReport(String format, String runId, String host, String jdmVersion, String method, int passes,
        String verify, Sanitization sanitization, String started, String ended, int resumes, String result, List<Target> targets) {
    public static final String FORMAT = "jdm-sweep-report/2";
    /** Every format this version reads (and checks signatures of). */
    public static final List<String> FORMATS = List.of("jdm-sweep-report/1", FORMAT);

    /**
     * One target's outcome; {@code model}/{@code serial} are null when unknown.
     *
     * @param bootAreaIncluded for a whole device, whether its range started at byte 0; null for a
     *     partition (it holds no boot area) and in format-1 reports
     * @param coverage one of {@link Sanitization.Coverage}'s values; null in format-1 reports
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Target(String name, long size, int blockSize, boolean wholeDevice, String model, String serial,
            long start, long end, Boolean bootAreaIncluded, String coverage, long bytesWritten, long bytesVerified, boolean writeZeroes,
            String verifyResult, long mismatches, List<ErrorEntry> errors, long errorsOmitted, String result) {}

    public boolean passed() {
        return "passed".equals(result);
    }

    /** The human-readable form. */
    public String text() {
        StringBuilder b = new StringBuilder();
        b.append("jdm sweep report ").append(runId).append('\n');
        b.append(line("result", result.toUpperCase()));
        b.append(line("host", host + " (jdm " + jdmVersion + ")"));
        b.append(line("method", (method.equals("random") ? "random (AES-256-CTR keystream, per-run key)" : "zeros")
                + ", " + passes + (passes == 1 ? " pass" : " passes") + ", verify " + verify));
        if (sanitization != null) {
            b.append(line("standard", sanitization.guideline() + " " + sanitization.method() + ": " + sanitization.technique()));
            b.append(line("pattern", sanitization.pattern()));
            b.append(line("read-back", sanitization.verification()));
        }
        b.append(line("started", started));
        b.append(line("ended", ended + (resumes > 0 ? " (resumed " + resumes + "x)" : "")));
        for (Target t : targets) {
            b.append("target ").append(t.name()).append(": ").append(Sizes.human(t.size())).append(" (").append(t.size())
                    .append(" bytes, ").append(t.blockSize()).append("-byte blocks), ").append(t.wholeDevice() ? "whole device" : "partition");
            if (t.model() != null) {
                b.append(", model ").append(t.model());
            }
            if (t.serial() != null) {
                b.append(", serial ").append(t.serial());
            }
            b.append('\n');
            b.append(line("  range", "[" + Sizes.hex(t.start()) + ", " + Sizes.hex(t.end()) + ")" + bootAreaNote(t.wholeDevice(), t.start())));
            if (t.coverage() != null) {
                b.append(line("  coverage", coverage(t)));
            }
            b.append(line("  written", t.bytesWritten() + " bytes" + (t.writeZeroes() ? " (write-zeroes)" : "")));
            b.append(line("  verified", t.bytesVerified() + " bytes, " + t.verifyResult()
                    + (t.mismatches() > 0 ? ", " + t.mismatches() + " block(s) differ" : "")));
            if (t.errors().isEmpty()) {
                b.append(line("  errors", "none"));
            }
            for (ErrorEntry e : t.errors()) {
                b.append(line("  error", e.kind() + " " + e.phase() + " pass " + e.pass() + " at " + Sizes.hex(e.offset())
                        + "+" + e.length() + ": " + e.message()));
            }
            if (t.errorsOmitted() > 0) {
                b.append(line("  error", "... and " + t.errorsOmitted() + " more"));
            }
            b.append(line("  result", t.result()));
        }
        return b.toString();
    }

    /**
     * What a target's range means in SP 800-88 terms, for people. A Clear of the device is claimed
     * only for a device written from byte 0 to its end without an error or mismatch.
     */
    private static String coverage(Target t) {
        return switch (t.coverage()) {
            case Sanitization.Coverage.DEVICE -> "every user-addressable block, boot area included: "
                    + (!"passed".equals(t.result()) ? "not a Clear while the errors below remain"
                    : "not verified".equals(t.verifyResult()) ? "a Clear of the whole device, not read back"
                    : "a Clear of the whole device");
            case Sanitization.Coverage.PARTIAL -> "not a Clear of the whole device: [0, " + Sizes.hex(t.start()) + ") was left as it was"
                    + " (see --include-boot-area)";
            case Sanitization.Coverage.PARTITION -> "every block of the partition; the rest of its disk was not touched";
            default -> t.coverage();
        };
    }

    /** What a range starting at {@code start} means for the boot area, as the plan and the report say it; empty for a partition. */
    public static String bootAreaNote(boolean wholeDevice, long start) {
        if (!wholeDevice) {
            return "";
        }
        return start > 0 ? "; boot area [0, " + Sizes.hex(start) + ") left unchanged" : "; boot area included";
    }

    private static String line(String key, String value) {
        return String.format("%-12s %s%n", key + ":", value);
    }
}
