package dev.jdm.hw.emu;

/** The IDs in a type-0 config header: vendor, device, subsystem, 24-bit class code and revision. */
public record PciIdentity(int vendor, int device, int subsystemVendor, int subsystemDevice, int classCode, int revision) {
    public PciIdentity {
        if ((vendor | device | subsystemVendor | subsystemDevice) >>> 16 != 0 || classCode >>> 24 != 0 || revision >>> 8 != 0) {
            throw new IllegalArgumentException("PCI identity out of range: " + this);
        }
    }
}
