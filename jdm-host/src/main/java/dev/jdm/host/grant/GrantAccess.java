package dev.jdm.host.grant;

/**
 * What the grants ask of the security stack before anything is opened: the {@code resource_grant}
 * hook, for every grant. Implemented where the subsystems meet (the host), so that this package
 * needs no security code.
 */
@FunctionalInterface
public interface GrantAccess {
    /**
     * @param domain where the module runs ({@code colocated} or {@code isolated:NAME})
     * @param kind the resource's kind ({@code file})
     * @param resource what exactly (the path)
     * @throws RuntimeException if refused, or if the check itself failed: either way nothing is granted
     */
    void check(String module, String domain, String kind, String resource);

    /** No security check (tests, and tools that embed a host with no security modules). */
    GrantAccess NONE = (module, domain, kind, resource) -> { };
}
