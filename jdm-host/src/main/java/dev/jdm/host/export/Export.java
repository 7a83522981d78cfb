package dev.jdm.host.export;

/**
 * A device made reachable under a name.
 *
 * @param name the export name clients ask for
 * @param device what is served
 * @param readOnly refused writes even if the device takes them
 */
public record Export(String name, ExportableDevice device, boolean readOnly) {
    /** Whether writes are refused, by the export or by the device. */
    public boolean writesRefused() {
        return readOnly || device.readOnly();
    }
}
