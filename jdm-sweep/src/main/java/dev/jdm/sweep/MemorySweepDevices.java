package dev.jdm.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider over memory devices held by this object. Devices may be wrapped (for instance by an
 * {@link ErrorInjectingSweepDevice}); the memory itself outlives every handle {@link #open} gives.
 */
public final class MemorySweepDevices implements SweepDevices {
    private final Map<String, SweepDevice> devices = new LinkedHashMap<>();

    /** Adds a device under its own name. */
    public MemorySweepDevices add(SweepDevice d) {
        if (devices.putIfAbsent(d.name(), d) != null) {
            throw new SweepException("EEXIST", d.name() + ": a device of that name exists already");
        }
        return this;
    }

    /**
     * Parses {@code NAME:SIZE[,OPTION...]} into a device and adds it. Options: {@code part}
     * (a partition; default a whole device), {@code bs=N}, {@code guard=N}, {@code ro},
     * {@code nowz} (no write-zeroes), {@code model=S}, {@code serial=S}, {@code inuse=REASON},
     * {@code fill=BYTE}, {@code fail-read=OFF+LEN}, {@code fail-write=OFF+LEN}.
     */
    public MemorySweepDevices add(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new SweepException("EINVAL", "memory device \"" + spec + "\" is not NAME:SIZE[,OPTION...]");
        }
        String name = spec.substring(0, colon);
        String[] parts = spec.substring(colon + 1).split(",");
        MemorySweepDevice.Spec s = MemorySweepDevice.Spec.whole(name, Sizes.parse(parts[0]));
        List<ErrorInjectingSweepDevice.Range> failReads = new ArrayList<>();
        List<ErrorInjectingSweepDevice.Range> failWrites = new ArrayList<>();
        Integer fill = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            int eq = p.indexOf('=');
            String key = eq < 0 ? p : p.substring(0, eq);
            String val = eq < 0 ? "" : p.substring(eq + 1);
            switch (key) {
                case "part" -> s = new MemorySweepDevice.Spec(name, s.size(), s.blockSize(), false, 0, s.readOnly(), s.writeZeroes(), s.model(), s.serial(), s.inUse());
                case "bs" -> s = s.withBlockSize((int) Sizes.parse(val));
                case "guard" -> s = s.withGuard(Sizes.parse(val));
                case "ro" -> s = s.withReadOnly(true);
                case "nowz" -> s = s.withWriteZeroes(false);
                case "model" -> s = s.withIdentity(val, s.serial());
                case "serial" -> s = s.withIdentity(s.model(), val);
                case "inuse" -> s = s.withInUse(val.isEmpty() ? "in use" : val);
                case "fill" -> fill = (int) Sizes.parse(val);
                case "fail-read" -> failReads.add(ErrorInjectingSweepDevice.Range.parse(val));
                case "fail-write" -> failWrites.add(ErrorInjectingSweepDevice.Range.parse(val));
                default -> throw new SweepException("EINVAL", "memory device " + name + ": unknown option \"" + p + "\"");
            }
        }
        MemorySweepDevice dev = new MemorySweepDevice(s);
        if (fill != null) {
            dev.contents().fill((byte) (int) fill);
        }
        return add(failReads.isEmpty() && failWrites.isEmpty() ? dev : new ErrorInjectingSweepDevice(dev, failReads, failWrites));
    }

    @Override
    public List<DeviceInfo> list() {
        return devices.values().stream().map(DeviceInfo::of).toList();
    }

    @Override
    public SweepDevice open(String name, boolean writable) {
        SweepDevice d = devices.get(name);
        if (d == null) {
            throw new SweepException("ENOENT", name + ": no such device (see jdm sweep --list)");
        }
        if (writable && d.readOnly()) {
            throw new SweepException("EROFS", name + ": the device is read-only");
        }
        return d;
    }

    /** The device registered under {@code name}, for tests. */
    public SweepDevice get(String name) {
        return devices.get(name);
    }
}
