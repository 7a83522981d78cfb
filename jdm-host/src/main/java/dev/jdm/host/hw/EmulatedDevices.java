package dev.jdm.host.hw;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.hw.HwException;
import dev.jdm.host.export.ExportService;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.hw.emu.Backing;
import dev.jdm.hw.emu.EmulatedDevice;
import dev.jdm.hw.emu.PlatformDevice;
import dev.jdm.hw.emu.RamBacking;
import dev.jdm.hw.emu.RealConfigDevice;
import dev.jdm.hw.pci.SysfsPci;
import java.nio.file.Files;
import dev.jdm.hw.emu.uart.SerialLine;
import dev.jdm.hw.emu.uart.Uart16550Device;
import dev.jdm.hw.emu.usb.CdcAcmDevice;
import dev.jdm.hw.emu.usb.EmulatedUsbDevice;
import dev.jdm.hw.emu.uart.UnixSocketLine;
import dev.jdm.hw.emu.virtio.VirtioBlkDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes the devices an operator can put on the board, by kind and parameters, as the config's
 * {@code [[device]]} and {@code jdm hw add} name them. Every parameter is checked before anything
 * is opened, and what was opened is closed again if a later step fails.
 */
public final class EmulatedDevices {
    /**
     * A made device (a PCI function, or a USB device when {@code usb} is set), what it is connected
     * to, and what to close when it is unplugged.
     */
    public record Made(EmulatedDevice device, EmulatedUsbDevice usb, String kind, String backing, AutoCloseable resources) {
        /** A PCI function. */
        public Made(EmulatedDevice device, String kind, String backing, AutoCloseable resources) {
            this(device, null, kind, backing, resources);
        }

        /** A USB device. */
        public static Made usb(EmulatedUsbDevice usb, String kind, String backing, AutoCloseable resources) {
            return new Made(null, usb, kind, backing, resources);
        }
    }

    private static final Map<String, Set<String>> PARAMS = Map.of(
            "virtio-blk", Set.of("file", "size", "read_only", "serial", "kicks"),
            "uart16550", Set.of("socket", "bus"),
            "pci-config", Set.of("address", "sysfs_root"),
            "cdc-acm", Set.of("socket"));

    private EmulatedDevices() {}

    /** The kinds there are. */
    public static Set<String> kinds() {
        return new TreeSet<>(PARAMS.keySet());
    }

    /**
     * @throws HwException EINVAL for an unknown kind or parameter or a bad value; the errno of a
     *     file or socket that cannot be opened
     */
    public static Made make(String kind, Map<String, String> params) {
        Set<String> known = PARAMS.get(kind);
        if (known == null) {
            throw new HwException(HwException.EINVAL, "no device kind " + kind + " (kinds: " + String.join(", ", kinds()) + ")");
        }
        for (String k : params.keySet()) {
            if (!known.contains(k)) {
                throw new HwException(HwException.EINVAL, kind + ": unknown parameter " + k + " (" + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
        return switch (kind) {
            case "virtio-blk" -> virtioBlk(params);
            case "uart16550" -> uart(params);
            case "cdc-acm" -> cdcAcm(params);
            default -> realConfig(params);
        };
    }

    private static Made virtioBlk(Map<String, String> p) {
        boolean readOnly = bool(p, "read_only");
        String serial = p.getOrDefault("serial", "jdm-virtio-blk");
        String kicks = p.getOrDefault("kicks", "inline");
        if (!kicks.equals("inline") && !kicks.equals("workers")) {
            throw new HwException(HwException.EINVAL, "virtio-blk: kicks=" + kicks + " is inline (the writer of the doorbell serves it)"
                    + " or workers (the device's threads do)");
        }
        if (serial.length() > 20 || !serial.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new HwException(HwException.EINVAL, "virtio-blk: serial=" + serial + " is not at most 20 printable ASCII characters");
        }
        if (p.containsKey("file") == p.containsKey("size")) {
            throw new HwException(HwException.EINVAL, "virtio-blk: give file=PATH (a file or block device) or size=BYTES (RAM), not "
                    + (p.containsKey("file") ? "both" : "neither"));
        }
        Backing backing;
        String describe;
        if (p.containsKey("file")) {
            GrantedFile f;
            try {
                f = GrantDescriptors.openForDevice(p.get("file"), readOnly);
            } catch (GrantException e) {
                throw new HwException(e.errno(), "virtio-blk: " + e.getMessage());
            }
            if (f.size() < 512 || f.size() % 512 != 0) {
                f.close();
                throw new HwException(HwException.EINVAL, "virtio-blk: " + p.get("file") + " is " + f.size() + " bytes, not a positive multiple of 512");
            }
            backing = new FileBacking(f);
            describe = p.get("file") + (readOnly ? " (ro)" : "");
        } else {
            long size;
            try {
                size = ExportService.parseSize(p.get("size"));
            } catch (RuntimeException e) {
                throw new HwException(HwException.EINVAL, "virtio-blk: size=" + p.get("size") + ": " + e.getMessage());
            }
            if (size < 512 || size % 4096 != 0) {
                throw new HwException(HwException.EINVAL, "virtio-blk: size=" + p.get("size") + " is not a positive multiple of 4096");
            }
            backing = new RamBacking(size);
            describe = "RAM " + (size >> 20) + " MiB" + (readOnly ? " (ro)" : "");
        }
        Backing b = backing;
        return new Made(new VirtioBlkDevice(b, serial, readOnly, VirtioBlkDevice.DEFAULT_WORKERS, kicks.equals("inline")), "virtio-blk",
                describe + (kicks.equals("inline") ? "" : ", kicks served by workers"), b::close);
    }

    private static Made uart(Map<String, String> p) {
        String bus = p.getOrDefault("bus", "pci");
        if (!bus.equals("pci") && !bus.equals("platform")) {
            throw new HwException(HwException.EINVAL, "uart16550: bus=" + bus + " is pci (a PCI serial function) or platform (serial8250, as the PC's UART)");
        }
        String socket = p.get("socket");
        if (socket == null || !socket.startsWith("/")) {
            throw new HwException(HwException.EINVAL, "uart16550: socket=PATH (absolute) names the Unix socket its far side listens on");
        }
        SerialLine line;
        try {
            line = UnixSocketLine.listen(Path.of(socket));
        } catch (IOException e) {
            throw new HwException(HwException.EIO, "uart16550: cannot listen on " + socket + ": " + e.getMessage());
        }
        EmulatedDevice uart = new Uart16550Device(line);
        return new Made(bus.equals("platform") ? new PlatformDevice(uart, "serial8250") : uart, "uart16550", "unix socket " + socket, line::close);
    }

    /** A USB CDC-ACM serial device on the USB bus; its far side listens on a Unix socket. */
    private static Made cdcAcm(Map<String, String> p) {
        String socket = p.get("socket");
        if (socket == null || !socket.startsWith("/")) {
            throw new HwException(HwException.EINVAL, "cdc-acm: socket=PATH (absolute) names the Unix socket its far side listens on");
        }
        SerialLine line;
        try {
            line = UnixSocketLine.listen(Path.of(socket));
        } catch (IOException e) {
            throw new HwException(HwException.EIO, "cdc-acm: cannot listen on " + socket + ": " + e.getMessage());
        }
        return Made.usb(new CdcAcmDevice(line), "cdc-acm", "unix socket " + socket, line::close);
    }

    /** A real device's config space, read-only, for a driver to be granted: its BARs and interrupts stay the kernel's. */
    private static Made realConfig(Map<String, String> p) {
        String address = p.get("address");
        if (address == null || !address.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]")) {
            throw new HwException(HwException.EINVAL, "pci-config: address=DDDD:BB:DD.F (as lspci -D shows it, lower-case hex) names the real device");
        }
        Path root = Path.of(p.getOrDefault("sysfs_root", "/sys"));
        Path dir = new SysfsPci(root).devicesDir().resolve(address);
        if (!Files.isDirectory(dir)) {
            throw new HwException(HwException.ENODEV, "pci-config: no PCI device " + address + " under " + root);
        }
        RealConfigDevice d;
        try {
            d = new RealConfigDevice(new SysfsPci(root).read(dir), dir);
        } catch (IOException | RuntimeException e) {
            throw new HwException(HwException.EIO, "pci-config: cannot read " + address + ": " + e.getMessage());
        }
        return new Made(d, "pci-config", "config of " + address + " (read-only)", d::close);
    }

    private static boolean bool(Map<String, String> p, String key) {
        String v = p.getOrDefault(key, "false");
        return switch (v) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new HwException(HwException.EINVAL, key + "=" + v + " is not true or false");
        };
    }
}
