package dev.jdm.symvers.stability;

import dev.jdm.symvers.SymversException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ABI generation such as {@code JDM_1.0}. Generations are ordered by major, then minor number;
 * a host serves its own generation and every released one before it.
 *
 * @param major the major number
 * @param minor the minor number
 */
public record Generation(int major, int minor) implements Comparable<Generation> {
    private static final Pattern FORM = Pattern.compile("JDM_(\\d{1,4})\\.(\\d{1,4})");

    public Generation {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("generation numbers out of range: " + major + "." + minor);
        }
    }

    /**
     * Parses {@code JDM_<major>.<minor>}.
     *
     * @throws SymversException naming the text if it is not a generation
     */
    public static Generation parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new SymversException("not an ABI generation: \"" + text + "\" (expected JDM_<major>.<minor>, e.g. JDM_1.0)");
        }
        return new Generation(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** Whether this generation is newer than {@code other}. */
    public boolean isAfter(Generation other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(Generation other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return "JDM_" + major + "." + minor;
    }
}
