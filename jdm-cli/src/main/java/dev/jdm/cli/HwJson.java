package dev.jdm.cli;

import dev.jdm.hw.alias.Modalias;
import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.pci.Bar;
import dev.jdm.hw.pci.PciDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jdm hw ls --json}'s rows. IDs are four hex digits as lspci and pci.ids write them;
 * addresses are 0x-prefixed hex strings, since a 64-bit BAR's may be beyond what a JSON number
 * carries exactly; a name the database lacks is null.
 */
final class HwJson {
    private HwJson() {
    }

    static List<Map<String, Object>> rows(List<PciDevice> devices, PciIds ids) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (PciDevice d : devices) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("address", d.address().sysfsName());
            row.put("class", String.format("%06x", d.pciClass().code()));
            row.put("class_name", ids.subclass(d.pciClass().base(), d.pciClass().sub()).or(() -> ids.baseClass(d.pciClass().base())).orElse(null));
            row.put("prog_if_name", ids.progIf(d.pciClass().base(), d.pciClass().sub(), d.pciClass().progIf()).orElse(null));
            row.put("vendor", hex4(d.vendor()));
            row.put("vendor_name", ids.vendor(d.vendor()).orElse(null));
            row.put("device", hex4(d.device()));
            row.put("device_name", ids.device(d.vendor(), d.device()).orElse(null));
            row.put("subsystem_vendor", d.subsystem().map(s -> hex4(s.vendor())).orElse(null));
            row.put("subsystem_device", d.subsystem().map(s -> hex4(s.device())).orElse(null));
            row.put("subsystem_name", d.subsystem().flatMap(s -> ids.subsystem(d.vendor(), d.device(), s.vendor(), s.device())).orElse(null));
            row.put("revision", d.revision().isPresent() ? String.format("%02x", d.revision().getAsInt()) : null);
            row.put("irq", d.irq());
            row.put("numa_node", d.numaNode());
            row.put("iommu_group", d.iommuGroup().orElse(null));
            row.put("driver", d.driver().orElse(null));
            row.put("modalias", Modalias.pci(d));
            row.put("bars", d.bars().stream().map(HwJson::bar).toList());
            row.put("rom", d.rom().filter(Bar::present).map(HwJson::bar).orElse(null));
            row.put("config_bytes", d.config().map(c -> c.length()).orElse(0));
            rows.add(row);
        }
        return rows;
    }

    private static Map<String, Object> bar(Bar b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", b.index());
        m.put("space", b.io() ? "io" : "memory");
        m.put("start", "0x" + Long.toHexString(b.start()));
        m.put("end", "0x" + Long.toHexString(b.end()));
        m.put("size", b.size());
        if (!b.io()) {
            m.put("bits", b.is64Bit() ? 64 : 32);
            m.put("prefetchable", b.prefetchable());
        }
        m.put("flags", "0x" + Long.toHexString(b.flags()));
        return m;
    }

    private static String hex4(int id) {
        return String.format("%04x", id);
    }
}
