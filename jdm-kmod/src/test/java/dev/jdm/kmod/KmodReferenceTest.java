package dev.jdm.kmod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.modinfo.ModInfoFormatter;
import dev.jdm.kmod.modinfo.ModuleLookup;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.testing.KernelFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * jdm kmod against kmod's own output (recorded by .ci/kmod-fixtures.sh) over every module of
 * a real Debian kernel package, plus its .ko.xz/.ko.zst copies: the bar is zero differences.
 */
class KmodReferenceTest {

    interface Render {
        String apply(Path module) throws KmodException;
    }

    @Test
    void shouldMatchKmodModinfoForEveryModule() {
        int compared = 0;
        for (String release : KernelFixtures.releases()) {
            Map<String, String> ref = splitModinfo(KernelFixtures.read(KernelFixtures.require().resolve("ref/modinfo-" + release + ".txt")));
            compared += compareAll(release, ref, p -> new ModInfoFormatter(null, false).format(ModInfo.read(p)));
        }
        assertThat(compared).isGreaterThan(4000);
    }

    @Test
    void shouldMatchModprobeShowModversionsForEveryModule() {
        int compared = 0;
        for (String release : KernelFixtures.releases()) {
            compared += compareAll(release, KernelFixtures.reference("modversions-" + release + ".txt"), p -> {
                StringBuilder sb = new StringBuilder();
                ModVersions.read(ModuleFile.open(p).elf()).forEach(v -> sb.append(v.toKmodLine()).append('\n'));
                return sb.toString();
            });
        }
        assertThat(compared).isGreaterThan(4000);
    }

    @Test
    void shouldMatchModprobeShowExportsForEveryModule() {
        int compared = 0;
        for (String release : KernelFixtures.releases()) {
            compared += compareAll(release, KernelFixtures.reference("exports-" + release + ".txt"), p -> {
                StringBuilder sb = new StringBuilder();
                Exports.read(ModuleFile.open(p).elf()).forEach(e -> sb.append(e.version().toKmodLine()).append('\n'));
                return sb.toString();
            });
        }
        assertThat(compared).isGreaterThan(4000);
    }

    @Test
    void shouldMatchKmodForTheFreshlyBuiltOutOfTreeModule() throws KmodException {
        Path fix = KernelFixtures.require();
        Path ko = fix.resolve("oot/jdmhello.ko");
        ElfFile elf = ModuleFile.open(ko).elf();
        assertThat(new ModInfoFormatter(null, false).format(ModInfo.read(ko)))
                .isEqualTo(KernelFixtures.read(fix.resolve("ref/oot-modinfo.txt")));
        StringBuilder versions = new StringBuilder();
        ModVersions.read(elf).forEach(v -> versions.append(v.toKmodLine()).append('\n'));
        assertThat(versions.toString()).isEqualTo(KernelFixtures.read(fix.resolve("ref/oot-modversions.txt")))
                .contains("module_layout");
        StringBuilder exports = new StringBuilder();
        Exports.read(elf).forEach(e -> exports.append(e.version().toKmodLine()).append('\n'));
        assertThat(exports.toString()).isEqualTo(KernelFixtures.read(fix.resolve("ref/oot-exports.txt")));
        assertThat(Exports.read(elf)).anySatisfy(e -> {
            assertThat(e.symbol()).isEqualTo("jdmhello_answer");
            assertThat(e.gplOnly()).isTrue();
        }).anySatisfy(e -> {
            assertThat(e.symbol()).isEqualTo("jdmhello_question");
            assertThat(e.gplOnly()).isFalse();
        });
    }

    @Test
    void shouldMatchKmodForBuiltinModules() throws KmodException {
        Path fix = KernelFixtures.require();
        String kver = KernelFixtures.kernelRelease();
        ModuleLookup lookup = new ModuleLookup(ModuleLookup.moduleDir(fix.resolve("root").toString(), kver));
        for (String name : List.of("amd_uncore", "mmiotrace")) {
            StringBuilder sb = new StringBuilder();
            for (ModInfo info : lookup.lookup(name)) {
                sb.append(new ModInfoFormatter(null, false).format(info));
            }
            assertThat(sb.toString()).as(name).isEqualTo(KernelFixtures.read(fix.resolve("ref/builtin-" + name + ".txt")));
        }
    }

    /** The modinfo reference: one "### relpath" block per module. */
    static Map<String, String> splitModinfo(String all) {
        return KernelFixtures.sections(all);
    }

    /** Renders every module of a release in parallel and compares; returns the number compared. */
    static int compareAll(String release, Map<String, String> reference, Render render) {
        Path dir = KernelFixtures.moduleDir(release);
        List<String> modules = KernelFixtures.modules(release);
        List<String> diffs = Collections.synchronizedList(new ArrayList<>());
        modules.parallelStream().forEach(rel -> {
            String expected = reference.get(rel);
            try {
                String actual = render.apply(Path.of(dir + "/" + rel));
                if (!actual.equals(expected)) {
                    diffs.add(rel + "\n--- kmod\n" + expected + "\n--- jdm\n" + actual);
                }
            } catch (KmodException | RuntimeException e) {
                diffs.add(rel + ": " + e);
            }
        });
        assertThat(reference).hasSize(modules.size());
        assertThat(diffs).as("differences from kmod in " + release + " (" + diffs.size() + " of " + modules.size() + ")")
                .isEmpty();
        return modules.size();
    }
}
