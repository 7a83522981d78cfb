package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code dev_open}: a device node as /dev would show it, and the access asked for.
 *
 * @param kind block or char
 * @param name device name, e.g. {@code ram0}
 * @param ownerUid owner
 * @param groupGid group
 * @param mode permission bits, e.g. {@code 0660}
 * @param access requested access: {@link #READ}, {@link #WRITE} or both
 */
@Provided
public record DevOpen(DeviceKind kind, String name, int ownerUid, int groupGid, int mode, int access) {
    /** Read access (the r bit's value). */
    public static final int READ = 4;
    /** Write access (the w bit's value). */
    public static final int WRITE = 2;
}
