package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.gate.client.LsmodClient.Module;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** lsmod's listing, padded by hand, is what its format string made of the same rows. */
class LsmodTableTest {
    private static final String FORMAT = "%-19s %8d  %-24s %-5s %s%n";
    private static final String HEADER = "%-19s %8s  %-24s %-5s %s%n";

    @Test
    void shouldPrintWhatTheFormatStringPrinted() {
        List<Module> modules = List.of(
                new Module("hello", 68709, 0, List.of(), "live", "", "/m/hello.jar", false, ""),
                new Module("kstack", 7, 1, List.of("kstack-user"), "live", "OE", "", false, "isolated:disks"),
                new Module("a-module-name-longer-than-nineteen", 123_456_789_012L, 12, List.of("one", "two", "three-and-more-users-than-fit"),
                        "going", "PODFX", "", true, ""),
                new Module("", -1, -3, List.of(), "coming", "toolong", "", false, "colocated"),
                new Module("née", 0, 0, List.of(), "going", "", "", false, ""));
        StringBuilder expected = new StringBuilder(String.format(Locale.ROOT, HEADER, "Module", "Size", "Used by", "Taint", "Domain"));
        for (Module m : modules) {
            String usedBy = m.refcount() + (m.usedBy().isEmpty() ? "" : " " + String.join(",", m.usedBy()));
            String state = m.state().equals("live") ? "" : " [" + m.state() + (m.slated() ? ", slated" : "") + "]";
            expected.append(String.format(Locale.ROOT, FORMAT, m.name(), m.size(), usedBy + state, m.taint(),
                    m.domain().isEmpty() ? "colocated" : m.domain()));
        }
        assertThat(ModuleCommands.Lsmod.table(modules)).isEqualTo(expected.toString());
        assertThat(ModuleCommands.Lsmod.table(List.of())).isEqualTo(String.format(Locale.ROOT, HEADER, "Module", "Size", "Used by", "Taint", "Domain"));
    }
}
