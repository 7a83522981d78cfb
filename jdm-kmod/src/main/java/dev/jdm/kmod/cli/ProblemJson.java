package dev.jdm.kmod.cli;

import dev.jdm.kmod.compat.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shape of {@code jdm kmod check}'s problems, shared by check and weak-updates. */
final class ProblemJson {
    private ProblemJson() {
    }

    static List<Object> of(List<Problem> problems) {
        List<Object> out = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("kind", p.kind().name().toLowerCase());
            pm.put("symbol", p.symbol());
            pm.put("module_crc", p.moduleCrc() < 0 ? null : String.format("0x%08x", p.moduleCrc()));
            pm.put("kernel_crc", p.kernelCrc() < 0 ? null : String.format("0x%08x", p.kernelCrc()));
            pm.put("exporter", p.exporter());
            pm.put("detail", p.detail());
            out.add(pm);
        }
        return out;
    }
}
