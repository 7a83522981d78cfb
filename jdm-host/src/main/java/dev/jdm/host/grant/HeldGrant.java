package dev.jdm.host.grant;

/**
 * A grant a module holds now, as {@code jdm grant ls} shows it.
 *
 * @param module the holder
 * @param domain where it runs ({@code colocated} or {@code isolated:NAME})
 * @param kind the resource's kind ({@code file})
 * @param resource the path as the module asked for it
 * @param access {@code ro} or {@code rw}, with {@code ,direct} and {@code ,blk} where they apply
 * @param via why it was granted: {@code param NAME} or {@code rule PATH}
 */
public record HeldGrant(String module, String domain, String kind, String resource, String access, String via) {}
