package dev.jdm.drivers.chrinput;

import java.util.HashMap;
import java.util.Map;

/** Characters to evdev key codes on a US keyboard (capitals need shift). */
final class UsLayout {
    static final int KEY_LEFTSHIFT = 42;
    private static final Map<Character, Integer> CODES = codes();

    private UsLayout() {}

    private static Map<Character, Integer> codes() {
        Map<Character, Integer> m = new HashMap<>();
        String[] rows = {"1234567890-=", "qwertyuiop", "asdfghjkl;'", "zxcvbnm,./"};
        int[] first = {2, 16, 30, 44};
        for (int r = 0; r < rows.length; r++) {
            for (int i = 0; i < rows[r].length(); i++) {
                m.put(rows[r].charAt(i), first[r] + i);
            }
        }
        m.put(' ', 57);
        m.put('\n', 28);
        return Map.copyOf(m);
    }

    /** The key code of {@code c} (lower-cased), or -1 if the layout has no key for it. */
    static int code(char c) {
        return CODES.getOrDefault(Character.toLowerCase(c), -1);
    }
}
