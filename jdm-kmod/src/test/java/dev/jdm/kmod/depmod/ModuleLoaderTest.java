package dev.jdm.kmod.depmod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.modinfo.ModInfoEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** depmod's direct .modinfo splitting gives what ElfFile.strings and ModInfoEntry.parse give. */
class ModuleLoaderTest {
    /** The reference: NUL-separated strings, empty ones dropped, a final unterminated one kept, split at the first '='. */
    private static List<ModInfoEntry> reference(byte[] b) {
        List<ModInfoEntry> out = new ArrayList<>();
        for (String s : new String(b, StandardCharsets.ISO_8859_1).split("\0")) {
            if (!s.isEmpty()) {
                out.add(ModInfoEntry.parse(s));
            }
        }
        return out;
    }

    @Test
    void shouldSplitModinfoLikeStringsThenParse() {
        String[] sections = {
            "license=GPL\0alias=pci:v00008086d*\0\0\0depends=\0intree=Y\0",
            "\0\0name=x\0",
            "noequals\0=leading\0a=b=c\0parm=answer:The answer (int)\0",
            "vermagic=6.1.0 SMP\0unterminated=last",
            "alias=\u00e9t\u00e9\0x-custom-key=v\0",
            "softdep=pre: crc32c\0alias\0weakdep=post: x\0aliases=no\0alias=usb:v*\0",
            "",
        };
        for (String text : sections) {
            byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
            byte[] padded = java.util.Arrays.copyOf(b, b.length + 7); // a reused buffer is longer than the section
            padded[b.length] = 'z';
            List<ModInfoEntry> got = new ArrayList<>();
            ModuleLoader.modInfo(padded, b.length, got);
            assertThat(got).as(text).isEqualTo(reference(b));
            List<ModInfoEntry> depmods = new ArrayList<>();
            ModuleLoader.modInfo(padded, b.length, true, depmods);
            assertThat(depmods).as("depmod's entries of " + text).isEqualTo(reference(b).stream()
                    .filter(e -> List.of("alias", "softdep", "weakdep").contains(e.key())).toList());
        }
    }
}
