package dev.jdm.sweep;

import java.util.List;

/**
 * Where the sweeper finds its devices: the block layer of an embedded host (files and block
 * devices given on the command line), a running host through the call gate, or memory devices.
 */
public interface SweepDevices {
    /** Every device and partition that can be seen, as descriptions; nothing is opened. */
    List<DeviceInfo> list();

    /**
     * Opens a device by name (or path, where the provider takes paths).
     *
     * @param writable whether writes will follow; a provider may open read-only otherwise
     * @throws SweepException ENOENT for an unknown name, EROFS when writable was asked of a
     *     read-only device, EACCES when the caller may not open it
     */
    SweepDevice open(String name, boolean writable);

    /**
     * Prepares an open device for a run that includes the boot area (before it is planned). A
     * provider whose caller opened the device with their own rights, as paths are, lowers that
     * device's guard itself; the others leave the guard to the device's driver or administrator,
     * and may refuse here, saying who can lower it. Partitions need nothing. The plan still refuses
     * a guard that stayed up.
     *
     * @throws SweepException EPERM when this provider may not lower the guard and it is up
     */
    default void includeBootArea(SweepDevice device) {}
}
