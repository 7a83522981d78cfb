package dev.jdm.hw.pci;

/**
 * A device's class code: base class, subclass and programming interface, the three bytes of
 * sysfs's {@code class} file ({@code 0x010601}: a SATA controller speaking AHCI).
 */
public record PciClass(int base, int sub, int progIf) {
    public PciClass {
        if ((base | sub | progIf) >>> 8 != 0) {
            throw new IllegalArgumentException("class bytes out of range: " + base + ", " + sub + ", " + progIf);
        }
    }

    /** From the 24-bit code, as sysfs's {@code class} holds it. */
    public static PciClass of(int code) {
        if (code >>> 24 != 0) {
            throw new IllegalArgumentException(String.format("class code 0x%x is wider than 24 bits", code));
        }
        return new PciClass(code >>> 16, (code >>> 8) & 0xff, code & 0xff);
    }

    /** Base class and subclass as one 16-bit number, the form lspci prints ({@code [0106]}). */
    public int baseAndSub() {
        return base << 8 | sub;
    }

    /** The 24-bit code. */
    public int code() {
        return base << 16 | sub << 8 | progIf;
    }
}
