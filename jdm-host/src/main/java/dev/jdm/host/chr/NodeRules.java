package dev.jdm.host.chr;

/**
 * What a node's name, number, owner and mode may be: one set of rules, whether the node is described
 * in the host ({@link NodeBuilder}) or in an isolated domain and registered through
 * {@link ForwardedNodes}.
 */
public final class NodeRules {
    static final String NAME = "[a-z][a-z0-9_-]{0,31}";

    private NodeRules() {}

    /** @throws IllegalArgumentException naming a bad node name */
    public static String name(String name) {
        if (name == null || !name.matches(NAME)) {
            throw new IllegalArgumentException("char device name \"" + name + "\": 1-32 of [a-z0-9_-], starting with a letter");
        }
        return name;
    }

    /** @throws IllegalArgumentException naming a device number out of Linux's range */
    public static void number(String name, int major, int minor) {
        if (major < 0 || major > 4095 || minor < 0 || minor > 0xfffff) {
            throw new IllegalArgumentException(name + ": device number " + major + ":" + minor + " (major 0..4095, minor 0..1048575)");
        }
    }

    /** @throws IllegalArgumentException naming a uid or gid that is negative */
    public static int id(String name, int id, String what) {
        if (id < 0) {
            throw new IllegalArgumentException(name + ": " + what + " " + id + " is not a uid/gid");
        }
        return id;
    }

    /** @throws IllegalArgumentException naming a mode with bits beyond 0777 */
    public static int mode(String name, int mode) {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException(name + ": mode 0" + Integer.toOctalString(mode) + " has bits beyond 0777");
        }
        return mode;
    }
}
