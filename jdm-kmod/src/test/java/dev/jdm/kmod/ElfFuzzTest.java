package dev.jdm.kmod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfoFormatter;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.Imports;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.testing.KernelFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated and bit-flipped copies of real modules (seeded, bounded): every reader must either
 * succeed or throw {@link KmodException}; nothing else may escape.
 */
class ElfFuzzTest {
    private static final long SEED = 0x6a646d6b6d6f64L;
    private static final int MODULES = 40;
    private static final int MUTANTS_PER_MODULE = 60;

    @Test
    void shouldOnlyEverThrowKmodExceptionOnMutatedModules() throws IOException {
        Path dir = KernelFixtures.moduleDir(KernelFixtures.kernelRelease());
        List<String> all = new ArrayList<>(KernelFixtures.modules(KernelFixtures.kernelRelease()));
        Random rnd = new Random(SEED);
        Collections.shuffle(all, rnd);
        List<Throwable> escaped = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger rejected = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        for (String rel : all.subList(0, MODULES)) {
            byte[] original = Files.readAllBytes(Path.of(dir + "/" + rel));
            long moduleSeed = rnd.nextLong();
            java.util.stream.IntStream.range(0, MUTANTS_PER_MODULE).parallel().forEach(i -> {
                byte[] mutant = mutate(original, new Random(moduleSeed + i), i);
                total.incrementAndGet();
                try {
                    exercise(rel + "#" + i, mutant);
                } catch (KmodException expected) {
                    assertThat(expected.getMessage()).startsWith(rel + "#" + i + ": ");
                    rejected.incrementAndGet();
                } catch (Throwable t) {
                    escaped.add(new AssertionError(rel + " mutant " + i + ": " + t, t));
                }
            });
        }
        assertThat(escaped).as("exceptions other than KmodException").isEmpty();
        assertThat(total.get()).isEqualTo(MODULES * MUTANTS_PER_MODULE);
        assertThat(rejected.get()).as("some mutants must be rejected").isPositive();
    }

    /** Even mutants are truncations, odd ones flip 1-16 bits, biased towards the headers. */
    static byte[] mutate(byte[] original, Random r, int i) {
        if (i % 2 == 0) {
            return java.util.Arrays.copyOf(original, r.nextInt(original.length));
        }
        byte[] b = original.clone();
        int flips = 1 + r.nextInt(16);
        long shoff = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(40);
        for (int k = 0; k < flips; k++) {
            int at = switch (r.nextInt(3)) {
                case 0 -> r.nextInt(64);                                                     // ELF header
                case 1 -> (int) Math.min(b.length - 1, shoff + r.nextInt((int) Math.max(1, b.length - shoff))); // section headers
                default -> r.nextInt(b.length);
            };
            b[at] ^= (byte) (1 << r.nextInt(8));
        }
        return b;
    }

    static void exercise(String name, byte[] bytes) throws KmodException {
        ElfFile elf = ElfFile.parse(name, ByteBuffer.wrap(bytes));
        ModuleFile file = new ModuleFile(Path.of(name), dev.jdm.kmod.io.Compression.NONE, ByteBuffer.wrap(bytes));
        new ModInfoFormatter(null, false).format(ModInfo.of(file, elf));
        ModVersions.read(elf);
        Exports.read(elf);
        Imports.read(elf);
    }

    @Test
    void shouldRejectCorruptCompressedModulesClearly(@TempDir Path tmp) throws IOException {
        Path xz = KernelFixtures.moduleDir(KernelFixtures.releases().get(1)).resolve("kernel/fs/fat/fat.ko.xz");
        byte[] b = Files.readAllBytes(xz);
        Random r = new Random(SEED);
        for (int i = 0; i < 20; i++) {
            byte[] c = i % 2 == 0 ? java.util.Arrays.copyOf(b, 6 + r.nextInt(b.length - 6)) : b.clone();
            if (i % 2 == 1) {
                c[12 + r.nextInt(c.length - 12)] ^= (byte) 0x5a;
            }
            Path p = tmp.resolve("m" + i + ".ko.xz");
            Files.write(p, c);
            try {
                ModuleFile.open(p).elf();
            } catch (KmodException e) {
                assertThat(e.getMessage()).startsWith(p.toString());
            }
        }
    }
}
