package dev.jdm.sweep;

import java.util.ArrayList;
import java.util.List;

/** One sweep over a target's range: writing pass {@code pass}, or reading it back. */
public record Phase(Kind kind, int pass) {
    public enum Kind { WRITE, VERIFY }

    /** The phases of a run in order: each pass's write, its verify with {@code all}, one verify at the end with {@code last}. */
    public static List<Phase> of(SweepOptions o) {
        List<Phase> out = new ArrayList<>();
        for (int p = 1; p <= o.passes(); p++) {
            out.add(new Phase(Kind.WRITE, p));
            if (o.verify() == SweepOptions.Verify.ALL) {
                out.add(new Phase(Kind.VERIFY, p));
            }
        }
        if (o.verify() == SweepOptions.Verify.LAST) {
            out.add(new Phase(Kind.VERIFY, o.passes()));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return (kind == Kind.WRITE ? "write" : "verify") + " pass " + pass;
    }
}
