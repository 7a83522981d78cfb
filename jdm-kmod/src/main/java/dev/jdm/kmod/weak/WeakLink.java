package dev.jdm.kmod.weak;

import java.nio.file.Path;

/**
 * A symbolic link in a kernel's weak-updates directory.
 *
 * @param link   the link itself
 * @param target the module it points to, resolved inside the root
 */
public record WeakLink(Path link, Path target) {
}
