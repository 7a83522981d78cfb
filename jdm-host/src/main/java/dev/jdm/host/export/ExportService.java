package dev.jdm.host.export;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Exports and the devices behind them: in-memory devices the host creates itself, then whatever
 * {@link DeviceSource} the block layer provides. Devices outlive their exports; memory devices
 * live until the host stops.
 */
public final class ExportService implements AutoCloseable {
    private final ExportRegistry registry = new ExportRegistry();
    private final Map<String, MemoryExportableDevice> memory = new LinkedHashMap<>();
    private volatile DeviceSource source = DeviceSource.NONE;

    /** The exports. */
    public ExportRegistry registry() {
        return registry;
    }

    /** Sets where devices other than memory devices come from (the block layer's LUs). */
    public void deviceSource(DeviceSource s) {
        this.source = s;
    }

    /**
     * Creates an in-memory device.
     *
     * @throws HostException EEXIST if a device has the name, EINVAL for a bad size
     */
    public synchronized MemoryExportableDevice createMemory(String name, long size) {
        if (memory.containsKey(name) || source.names().contains(name)) {
            throw new HostException(Errno.EEXIST, "a device named " + name + " already exists");
        }
        if (!ExportRegistry.NAME.matcher(name).matches()) {
            throw new HostException(Errno.EINVAL, "device name \"" + name + "\" is not 1-64 of [A-Za-z0-9._:-]");
        }
        MemoryExportableDevice d = new MemoryExportableDevice(name, size, false);
        memory.put(name, d);
        return d;
    }

    /** A device by name, opened for an export: memory devices first, then the device source. */
    private synchronized Optional<ExportableDevice> device(String name) {
        MemoryExportableDevice m = memory.get(name);
        return m != null ? Optional.of(m) : source.find(name);
    }

    /**
     * Exports a device.
     *
     * @param exportName the name clients use; null or empty for the device's name
     * @throws HostException ENOENT if there is no such device, EEXIST/EINVAL for the name
     */
    public Export export(String exportName, String deviceName, boolean readOnly) {
        ExportableDevice d = device(deviceName).orElseThrow(() -> new HostException(Errno.ENOENT, "no device named " + deviceName
                + "; create one with --memory SIZE, or name a block device"));
        try {
            return registry.add(exportName == null || exportName.isEmpty() ? deviceName : exportName, d, readOnly);
        } catch (RuntimeException e) {
            d.release();
            throw e;
        }
    }

    /** Removes an export; the device stays. See {@link ExportRegistry#remove}. */
    public Export unexport(String name, boolean force) {
        Export e = registry.remove(name, force);
        e.device().release();
        return e;
    }

    /** Removes every export (closing their connections and releasing their devices), then closes the memory devices. */
    @Override
    public synchronized void close() {
        for (Export e : registry.list()) {
            try {
                unexport(e.name(), true);
            } catch (HostException gone) {
                // removed meanwhile
            }
        }
        memory.values().forEach(MemoryExportableDevice::close);
        memory.clear();
    }

    /**
     * Parses a size: bytes, or a number with K, M, G or T (binary units, optional "iB").
     *
     * @throws HostException EINVAL naming the text
     */
    public static long parseSize(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits.strip());
            if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new HostException(Errno.EINVAL, "size \"" + text + "\" is not a positive number of bytes with an optional K, M, G or T");
        }
    }
}
