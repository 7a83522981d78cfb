package dev.jdm.host.hw;

import dev.jdm.abi.hw.HwException;
import dev.jdm.hw.emu.Faults;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/** The operator's names for a device's fault switches ({@code jdm hw fault}), read and shown. */
final class FaultSettings {
    private FaultSettings() {}

    /**
     * Applies every setting, or none: all are parsed before any is set.
     *
     * @throws HwException EINVAL naming an unknown switch or a bad value
     */
    static void apply(Faults faults, Map<String, String> settings) {
        Map<String, Long> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (!switch (e.getKey()) {
                case "error_every", "delay_us", "drop_irq_every", "spurious_irq_every", "stuck_busy" -> true;
                default -> false;
            }) {
                throw new HwException(HwException.EINVAL, "unknown fault " + e.getKey()
                        + " (error_every, delay_us, drop_irq_every, spurious_irq_every, stuck_busy)");
            }
            long v;
            try {
                v = Long.parseLong(e.getValue().trim());
            } catch (NumberFormatException x) {
                throw new HwException(HwException.EINVAL, "fault " + e.getKey() + "=" + e.getValue() + " is not a number");
            }
            if (v < 0 || v > Integer.MAX_VALUE || e.getKey().equals("stuck_busy") && v > 1) {
                throw new HwException(HwException.EINVAL, "fault " + e.getKey() + "=" + e.getValue() + " is out of range"
                        + (e.getKey().equals("stuck_busy") ? " (0 or 1)" : " (0 turns it off)"));
            }
            parsed.put(e.getKey(), v);
        }
        parsed.forEach((k, v) -> {
            switch (k) {
                case "error_every" -> faults.errorEvery(v.intValue());
                case "delay_us" -> faults.delayMicros(v);
                case "drop_irq_every" -> faults.dropInterruptEvery(v.intValue());
                case "spurious_irq_every" -> faults.spuriousInterruptEvery(v.intValue());
                default -> faults.stuckBusy(v == 1);
            }
        });
    }

    /** The switches that are on, as {@code key=value} pairs; empty when the device behaves by its spec. */
    static String describe(Faults f) {
        StringJoiner j = new StringJoiner(" ");
        if (f.errorEvery() > 0) {
            j.add("error_every=" + f.errorEvery());
        }
        if (f.delayMicros() > 0) {
            j.add("delay_us=" + f.delayMicros());
        }
        if (f.dropInterruptEvery() > 0) {
            j.add("drop_irq_every=" + f.dropInterruptEvery());
        }
        if (f.spuriousInterruptEvery() > 0) {
            j.add("spurious_irq_every=" + f.spuriousInterruptEvery());
        }
        if (f.stuckBusy()) {
            j.add("stuck_busy=1");
        }
        return j.toString();
    }
}
