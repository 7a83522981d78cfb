package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.kmod.depmod.Depmod;
import dev.jdm.kmod.depmod.DepmodConfig;
import dev.jdm.kmod.depmod.DepmodOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The launcher's AOT cache for {@code jdm kmod}: the first successful run of a kmod command
 * records it and writes it, a failed run writes none, and neither run's output carries the
 * JVM's AOT messages (which go to stdout, where {@code depmod -n} writes the indexes).
 */
class LauncherKmodCacheIT {
    private static final Path CLI = Path.of(System.getProperty("jdm.cli.dir", "target")).toAbsolutePath();
    private static final Path REPO = CLI.getParent().getParent();
    private static final Path CACHE = CLI.resolve("jdm-kmod-depmod.aot");

    record Run(int code, String out, String err) {
    }

    @Test
    void shouldTrainTheCacheOnTheFirstGoodRunAndKeepStdoutClean() throws Exception {
        Path fixtures = REPO.resolve("jdm-kmod/target/kernel-fixtures");
        boolean present = Files.isRegularFile(fixtures.resolve("KVER"));
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("no kernel fixtures in " + fixtures + ": CI runs .ci/kmod-fixtures.sh first");
        }
        assumeTrue(present, "no kernel fixtures in " + fixtures + " (run .ci/kmod-fixtures.sh)");
        String kver = Files.readString(fixtures.resolve("KVER")).strip();
        Path base = smallTree(fixtures.resolve("root/lib/modules").resolve(kver), kver);
        Files.deleteIfExists(CACHE);

        Run bad = jdm("kmod", "depmod", "--no-such-option", "-b", base.toString(), kver);
        assertThat(bad.code()).as(bad.err()).isEqualTo(2);
        assertThat(CACHE).as("a failed run trains no cache").doesNotExist();

        Run first = jdm("kmod", "depmod", "-n", "-b", base.toString(), kver);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).isEqualTo(expected(base.resolve("lib/modules").resolve(kver), kver));
        assertThat(first.out() + first.err()).doesNotContain("AOT");
        assertThat(CACHE).as("the first good run writes the cache").isNotEmptyFile();
        try (Stream<Path> leftovers = Files.list(CLI)) {
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith("jdm-kmod-depmod.aot.") || n.contains("hs_err"));
        }

        Run second = jdm("kmod", "depmod", "-n", "-b", base.toString(), kver);
        assertThat(second.code()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(second.err()).doesNotContain("AOT");
    }

    /** A tree of the first 40 modules of the fixture tree, with their modules.order lines. */
    private static Path smallTree(Path from, String kver) throws IOException {
        Path base = Files.createTempDirectory("jdm-kmod-cache");
        Path dir = base.resolve("lib/modules").resolve(kver);
        List<Path> modules;
        try (Stream<Path> s = Files.walk(from)) {
            modules = s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().limit(40).toList();
        }
        assertThat(modules).hasSize(40);
        StringBuilder order = new StringBuilder();
        for (Path m : modules) {
            Path rel = from.relativize(m);
            Files.createDirectories(dir.resolve(rel).getParent());
            Files.copy(m, dir.resolve(rel));
            order.append(rel).append('\n');
        }
        Files.writeString(dir.resolve("modules.order"), order);
        return base;
    }

    /** What depmod -n prints: the text indexes in writing order, as the library renders them in this JVM. */
    private static String expected(Path moduleDir, String kver) throws Exception {
        Map<String, byte[]> files = DepmodOutput.render(Depmod.run(moduleDir, DepmodConfig.load(List.of(), kver), Map.of()));
        StringBuilder out = new StringBuilder();
        files.forEach((name, bytes) -> {
            if (!name.endsWith(".bin")) {
                out.append(new String(bytes, StandardCharsets.ISO_8859_1));
            }
        });
        return out.toString();
    }

    private static Run jdm(String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(REPO.resolve("jdm").toString()), Stream.of(args)).toList());
        pb.environment().put("JDM_SKIP_BUILD", "1"); // run what this build made
        Path out = Files.createTempFile("jdm-out", ".txt");
        Path err = Files.createTempFile("jdm-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("jdm %s finished", String.join(" ", args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err));
    }
}
