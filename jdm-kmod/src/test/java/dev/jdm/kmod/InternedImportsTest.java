package dev.jdm.kmod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.Names;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import dev.jdm.kmod.testing.KernelFixtures;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** depmod's interned import reader gives, module after module, what Imports.read gives each alone. */
class InternedImportsTest {
    @Test
    void shouldReadEveryModuleOfBothTreesAsThePlainReader() throws KmodException {
        Names names = new Names(); // one for every module, as one depmod reader thread keeps it
        int modules = 0;
        int imports = 0;
        for (String release : KernelFixtures.releases()) {
            Path dir = KernelFixtures.moduleDir(release);
            for (String rel : KernelFixtures.modules(release)) {
                ElfFile elf = ModuleFile.open(dir.resolve(rel)).elf();
                List<ImportedSymbol> plain = Imports.read(elf);
                assertThat(Imports.read(elf, names)).as(rel).isEqualTo(plain);
                modules++;
                imports += plain.size();
            }
        }
        assertThat(modules).isGreaterThan(4000);
        assertThat(imports).isGreaterThan(100_000);
    }

    @Test
    void shouldFailOrAgreeOnCorruptModulesAsThePlainReader() throws Exception {
        Path dir = KernelFixtures.moduleDir(KernelFixtures.kernelRelease());
        List<String> all = KernelFixtures.modules(KernelFixtures.kernelRelease());
        Names names = new Names();
        Random r = new Random(19);
        int failed = 0;
        for (int m = 0; m < 40; m++) {
            byte[] original = java.nio.file.Files.readAllBytes(dir.resolve(all.get(r.nextInt(all.size()))));
            for (int i = 0; i < 50; i++) {
                byte[] b = ElfFuzzTest.mutate(original, r, i);
                Object plain;
                Object interned;
                try {
                    plain = Imports.read(ElfFile.parse("m", ByteBuffer.wrap(b)));
                } catch (KmodException e) {
                    plain = e.getMessage();
                    failed++;
                }
                try {
                    interned = Imports.read(ElfFile.parse("m", ByteBuffer.wrap(b)), names);
                } catch (KmodException e) {
                    interned = e.getMessage();
                }
                assertThat(interned).as("module %d mutant %d", m, i).isEqualTo(plain);
            }
        }
        assertThat(failed).as("some mutants must be refused").isPositive();
    }
}
