package dev.jdm.host.module;

/**
 * Shell glob matching as fnmatch(3) without flags, which kmod uses for module aliases:
 * {@code *}, {@code ?}, and bracket expressions with ranges and {@code !} or {@code ^} negation.
 */
public final class Fnmatch {
    private Fnmatch() {}

    /** Whether {@code text} matches {@code pattern}. */
    public static boolean matches(String pattern, String text) {
        return match(pattern, 0, text, 0);
    }

    private static boolean match(String p, int pi, String t, int ti) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return true;
                    }
                    for (int k = ti; k <= t.length(); k++) {
                        if (match(p, pi, t, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (ti >= t.length()) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
                case '[' -> {
                    int end = bracketEnd(p, pi);
                    if (end < 0) { // an unclosed '[' matches itself
                        if (ti >= t.length() || t.charAt(ti) != '[') {
                            return false;
                        }
                        pi++;
                        ti++;
                    } else {
                        if (ti >= t.length() || !inBracket(p, pi + 1, end, t.charAt(ti))) {
                            return false;
                        }
                        pi = end + 1;
                        ti++;
                    }
                }
                case '\\' -> {
                    char lit = pi + 1 < p.length() ? p.charAt(pi + 1) : '\\';
                    if (ti >= t.length() || t.charAt(ti) != lit) {
                        return false;
                    }
                    pi += pi + 1 < p.length() ? 2 : 1;
                    ti++;
                }
                default -> {
                    if (ti >= t.length() || t.charAt(ti) != c) {
                        return false;
                    }
                    pi++;
                    ti++;
                }
            }
        }
        return ti == t.length();
    }

    private static int bracketEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++; // a leading ']' is literal
        }
        while (i < p.length() && p.charAt(i) != ']') {
            i++;
        }
        return i < p.length() ? i : -1;
    }

    private static boolean inBracket(String p, int from, int end, char c) {
        boolean negate = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negate ? from + 1 : from;
        boolean found = false;
        boolean first = true;
        while (i < end) {
            char lo = p.charAt(i);
            if (!first && lo == ']') {
                break;
            }
            first = false;
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                if (c >= lo && c <= p.charAt(i + 2)) {
                    found = true;
                }
                i += 3;
            } else {
                if (c == lo) {
                    found = true;
                }
                i++;
            }
        }
        return found != negate;
    }
}
