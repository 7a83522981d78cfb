package dev.jdm.host.grant;

import java.nio.file.Path;

/**
 * One rule of the host's grant policy ({@code [[grant]]} in the host configuration): the files a
 * module, or every module of a domain, may be granted by path, and whether read-write.
 *
 * @param module the module the rule is for, or null
 * @param domain the domain it is for ({@code colocated} or {@code isolated:NAME}), or null
 * @param path a file, or a directory and everything beneath it (absolute, normalised)
 * @param readWrite whether files may be opened read-write; read-only otherwise
 */
public record GrantRule(String module, String domain, Path path, boolean readWrite) {
    public GrantRule {
        if ((module == null) == (domain == null)) {
            throw new IllegalArgumentException("a [[grant]] rule names exactly one of module or domain");
        }
        if (domain != null && !domain.equals("colocated") && !domain.matches("isolated:[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("[[grant]] domain \"" + domain + "\" is not colocated or isolated:NAME");
        }
        if (path == null || !path.isAbsolute()) {
            throw new IllegalArgumentException("[[grant]] path " + path + " is not absolute");
        }
        path = path.normalize();
    }

    /**
     * The rule as a configuration gives it.
     *
     * @param access {@code ro} (or null) or {@code rw}
     */
    public static GrantRule of(String module, String domain, String path, String access) {
        if (path == null) {
            throw new IllegalArgumentException("a [[grant]] rule needs a path");
        }
        if (access != null && !access.equals("ro") && !access.equals("rw")) {
            throw new IllegalArgumentException("[[grant]] access \"" + access + "\" is not ro or rw");
        }
        return new GrantRule(module, domain, Path.of(path), "rw".equals(access));
    }

    /** Whether the rule grants {@code real} (a real path) to this module in this domain, with this access. */
    boolean covers(String forModule, String inDomain, Path real, boolean write) {
        boolean who = module != null ? module.equals(forModule) : domain.equals(inDomain);
        return who && real.startsWith(path) && (readWrite || !write);
    }

    @Override
    public String toString() {
        return (module != null ? "module " + module : "domain " + domain) + ": " + path + " (" + (readWrite ? "rw" : "ro") + ")";
    }
}
