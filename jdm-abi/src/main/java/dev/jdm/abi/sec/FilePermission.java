package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code file_permission}: a file the host opens on a task's behalf (a backing file).
 *
 * @param path absolute path
 * @param access {@link DevOpen#READ}, {@link DevOpen#WRITE} or both
 */
@Provided
public record FilePermission(String path, int access) {}
