package dev.jdm.host.mem;

import java.util.List;

/**
 * What a module left allocated when it unloaded.
 *
 * @param lines one line per leaked object or region, with its allocation site in debug mode
 */
public record LeakReport(long kmallocObjects, long kmallocBytes, long vmallocRegions, long vmallocBytes, List<String> lines) {
    /** Whether nothing leaked. */
    public boolean isEmpty() {
        return kmallocObjects == 0 && vmallocRegions == 0;
    }

    /** One summary line. */
    public String summary() {
        return kmallocObjects + " kmalloc object(s) (" + kmallocBytes + " bytes), " + vmallocRegions + " vmalloc region(s) ("
                + vmallocBytes + " bytes)";
    }
}
