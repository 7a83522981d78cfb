package dev.jdm.kmod.weak;

import java.nio.file.Path;

/**
 * One change to a weak-updates directory.
 *
 * @param create true to create {@code link} pointing to {@code target}; false to remove it
 * @param link   the link
 * @param target the link's text (create) or the module it pointed to (remove)
 */
public record LinkOp(boolean create, Path link, Path target) {

    /** As the verbose output and --dry-run show it. */
    public String describe() {
        return create ? "link " + link + " -> " + target : "unlink " + link;
    }
}
