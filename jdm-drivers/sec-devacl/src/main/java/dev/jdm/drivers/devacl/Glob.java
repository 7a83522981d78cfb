package dev.jdm.drivers.devacl;

/** Shell globs as fnmatch(3) without flags: {@code *}, {@code ?}, {@code [abc]}, {@code [a-z]}, {@code [!x]}. */
final class Glob {
    private Glob() {}

    static boolean matches(String pattern, String s) {
        return match(pattern, 0, s, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (match(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length()) {
                return false;
            }
            if (c == '?') {
                pi++;
                si++;
            } else if (c == '[' && p.indexOf(']', pi + 2) > 0) {
                int end = p.indexOf(']', pi + 2);
                boolean negate = p.charAt(pi + 1) == '!';
                boolean in = false;
                char ch = s.charAt(si);
                for (int k = pi + (negate ? 2 : 1); k < end; k++) {
                    if (k + 2 < end && p.charAt(k + 1) == '-') {
                        in |= ch >= p.charAt(k) && ch <= p.charAt(k + 2);
                        k += 2;
                    } else {
                        in |= ch == p.charAt(k);
                    }
                }
                if (in == negate) {
                    return false;
                }
                pi = end + 1;
                si++;
            } else {
                if (c != s.charAt(si)) {
                    return false;
                }
                pi++;
                si++;
            }
        }
        return si == s.length();
    }
}
