package dev.jdm.host.chr;

/**
 * One task's access to character devices, as the layer asks it; the wiring answers with the
 * security stack. Each check throws {@code HostException} to refuse.
 */
public interface CharAccess {
    /** {@code dev_open} of {@code node} for {@code access} ({@code CharOpen.READ}/{@code WRITE} bits). */
    void checkOpen(NodeInfo node, int access);

    /** {@code file_permission} of an open file of {@code node}, for one read or write. */
    void checkFile(NodeInfo node, int access);

    /** {@code chr_call}: a typed call named {@code call}, or {@code "ioctl"} with {@code command}. */
    void checkCall(NodeInfo node, String call, long command);

    /** The task's uid, gid and pid, as the driver's open sees them. */
    int uid();

    int gid();

    int pid();
}
