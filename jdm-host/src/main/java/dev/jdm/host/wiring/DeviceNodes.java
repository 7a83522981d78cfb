package dev.jdm.host.wiring;

import dev.jdm.abi.sec.DevOpen;
import dev.jdm.abi.sec.DeviceKind;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.sysctl.Sysctl;

/**
 * LUs as dev_open sees them: device nodes the way /dev shows disks, owned by the host's user, group
 * {@code blk.device_gid} (6, "disk", by default), mode 0660 (rw-rw----, as udev gives disks).
 */
final class DeviceNodes {
    private static final int DISK_MODE = 0660;

    private DeviceNodes() {}

    /** The dev_open object for opening block device {@code name} for reading, and writing if asked. */
    static DevOpen block(Sysctl sysctl, String name, boolean write) {
        return new DevOpen(DeviceKind.BLOCK, name, Libc.getuid(), (int) sysctl.longValue("blk.device_gid"), DISK_MODE,
                DevOpen.READ | (write ? DevOpen.WRITE : 0));
    }
}
