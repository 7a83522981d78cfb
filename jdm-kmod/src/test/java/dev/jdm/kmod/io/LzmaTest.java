package dev.jdm.kmod.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.testing.KernelFixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

/** liblzma through FFM inflates .ko.xz files to exactly what xz-java gives, reused buffers included. */
class LzmaTest {
    @TempDir
    Path tmp;

    private static List<Path> xzModules() throws IOException {
        Path dir = KernelFixtures.moduleDir(KernelFixtures.releases().get(1));
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".ko.xz")).sorted().limit(40).toList();
        }
    }

    private static byte[] xzJava(Path p) throws IOException {
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(Files.readAllBytes(p)))) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void shouldBeLoadableWhereKmodRuns() {
        // Debian's kmod links liblzma.so.5: if this fails, depmod silently runs on the slow decoder.
        assertThat(Lzma.available()).isTrue();
    }

    @Test
    void shouldInflateLikeXzJavaWithAndWithoutAReusedScratch() throws Exception {
        List<Path> modules = xzModules();
        assertThat(modules).hasSizeGreaterThan(10);
        try (ModuleFile.Scratch scratch = new ModuleFile.Scratch()) {
            for (Path p : modules) {
                byte[] expected = xzJava(p);
                assertThat(bytes(ModuleFile.open(p, scratch).contents())).as(p.toString()).isEqualTo(expected);
                ModuleFile own = ModuleFile.open(p);
                assertThat(own.compression()).isEqualTo(Compression.XZ);
                assertThat(bytes(own.contents())).as(p.toString()).isEqualTo(expected);
            }
        }
    }

    /**
     * liblzma reads the mapped file through a raw address: the mapping must outlive the native
     * call even once the JIT sees nothing in Java touching the buffer, and a collection runs.
     * Without that, the file is unmapped under the decoder and the JVM dies of SIGSEGV, which
     * is why this runs in a JVM of its own (it took about 1000 decodes to crash before the fix).
     */
    @Test
    void shouldKeepTheMappedFileWhileLiblzmaReadsIt() throws Exception {
        Path dir = KernelFixtures.moduleDir(KernelFixtures.releases().get(1));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:ErrorFile=" + tmp.resolve("hs_err.log"), "-cp", System.getProperty("java.class.path"),
                LzmaUnderCollection.class.getName(), dir.toString(), "3000")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).startsWith("inflated 3000 modules");
    }

    @Test
    void shouldRefuseTruncatedAndCorruptedDataNamingTheFile() throws Exception {
        byte[] good = Files.readAllBytes(xzModules().get(0));
        Path truncated = Files.write(tmp.resolve("t.ko.xz"), java.util.Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> ModuleFile.open(truncated)).isInstanceOf(KmodException.class)
                .hasMessage(truncated + ": corrupt xz data: unexpected end of input");
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x5a;
        Path corrupt = Files.write(tmp.resolve("c.ko.xz"), bad);
        assertThatThrownBy(() -> ModuleFile.open(corrupt)).isInstanceOf(KmodException.class)
                .hasMessageStartingWith(corrupt + ": corrupt xz data: ");
        // a bad file does not spoil the scratch for the next one
        try (ModuleFile.Scratch scratch = new ModuleFile.Scratch()) {
            assertThatThrownBy(() -> ModuleFile.open(corrupt, scratch)).isInstanceOf(KmodException.class);
            assertThat(bytes(ModuleFile.open(xzModules().get(0), scratch).contents())).isEqualTo(xzJava(xzModules().get(0)));
        }
    }
}
