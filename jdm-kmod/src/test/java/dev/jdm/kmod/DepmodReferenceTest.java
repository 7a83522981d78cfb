package dev.jdm.kmod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.depmod.Depmod;
import dev.jdm.kmod.depmod.DepmodConfig;
import dev.jdm.kmod.depmod.DepmodOutput;
import dev.jdm.kmod.testing.KernelFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** jdm's depmod against kmod's depmod -b on the real tree and on its .ko.xz/.ko.zst copy. */
class DepmodReferenceTest {

    @Test
    void shouldWriteIndexesByteIdenticalToKmodDepmod() throws Exception {
        for (String release : KernelFixtures.releases()) {
            Depmod d = Depmod.run(KernelFixtures.moduleDir(release), DepmodConfig.load(List.of(), release), Map.of());
            Map<String, byte[]> ours = DepmodOutput.render(d);
            Path refDir = KernelFixtures.require().resolve("ref/depmod/" + release);
            List<Path> kmodFiles;
            try (Stream<Path> s = Files.list(refDir)) {
                kmodFiles = s.sorted().toList();
            }
            assertThat(kmodFiles).hasSizeGreaterThanOrEqualTo(10);
            for (Path ref : kmodFiles) {
                String name = ref.getFileName().toString();
                assertThat(ours).as("jdm writes " + name).containsKey(name);
                assertThat(new String(ours.get(name), java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as(name + " of " + release)
                        .isEqualTo(Files.readString(ref, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
            assertThat(d.modules()).hasSize(KernelFixtures.modules(release).size());
        }
    }

    @Test
    void shouldNameCompressedModulesAsTheyAreOnDisk() throws IOException {
        String release = KernelFixtures.releases().get(1);
        String dep = Files.readString(KernelFixtures.require().resolve("ref/depmod/" + release + "/modules.dep"));
        assertThat(dep).contains(".ko.xz:").contains(".ko.zst:").contains("extra/jdmhello.ko:");
    }
}
