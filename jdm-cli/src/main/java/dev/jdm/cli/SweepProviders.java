package dev.jdm.cli;

import dev.jdm.sweep.MemorySweepDevices;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import java.util.List;

/**
 * Where {@code jdm sweep} finds its devices. This is the one place a device source plugs in: the
 * block layer of an embedded host for paths given on the command line, and a running host's LUs
 * through the call gate. Until those exist, only memory devices ({@code --memory-device}) are seen.
 */
final class SweepProviders {
    private SweepProviders() {}

    /** Set by in-process tests to sweep devices they hold and inspect afterwards. */
    static volatile SweepDevices testOverride;

    static SweepDevices choose(JdmCommand root, List<String> memoryDevices) {
        SweepDevices t = testOverride;
        if (t != null) {
            return t;
        }
        if (!memoryDevices.isEmpty()) {
            MemorySweepDevices m = new MemorySweepDevices();
            memoryDevices.forEach(m::add);
            return m;
        }
        throw new SweepException("ENODEV", "this build of jdm has no block layer to find devices in"
                + " (a memory device for trying it out: --memory-device NAME:SIZE)");
    }
}
