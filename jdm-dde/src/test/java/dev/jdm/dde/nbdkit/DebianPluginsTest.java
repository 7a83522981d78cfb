package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Debian's plugin binaries under the library and under the real nbdkit, same parameters, same
 * questions: size, SHA-256 of the whole content (nbdcopy on the nbdkit side), the allocation map
 * (nbdinfo --map) and the advertised flags (nbdinfo --json).
 */
class DebianPluginsTest {
    static Path dir;
    static Path sparseFile;
    static Path ondemand;

    @BeforeAll
    static void files() throws Exception {
        dir = Files.createTempDirectory("dde-plugins-");
        ondemand = Files.createDirectory(dir.resolve("ondemand"));
        // 8 MiB: random data, a 3 MiB hole, random data again, so the file plugin has a map to show.
        sparseFile = dir.resolve("disk.img");
        byte[] data = new byte[2 << 20];
        new Random(42).nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(sparseFile.toFile(), "rw")) {
            f.setLength(8 << 20);
            f.write(data);
            f.seek(5 << 20);
            f.write(data);
        }
    }

    @AfterAll
    static void clean() throws Exception {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static Stream<Arguments> plugins() {
        return Stream.of(
                Arguments.of("memory", List.of("size=64M")),
                Arguments.of("file", List.of("file=" + sparseFile)),
                Arguments.of("data", List.of("data=1 2 3 @1048576 0xff 0xfe @3000000 \"hello\"", "size=4M")),
                Arguments.of("pattern", List.of("size=16M")),
                Arguments.of("null", List.of("size=16M")),
                Arguments.of("zero", List.of()),
                Arguments.of("sparse-random", List.of("size=64M", "seed=1234")),
                Arguments.of("full", List.of("size=16M")),
                Arguments.of("random", List.of("size=8M", "seed=7")),
                // More of Debian's: a file:// URL through libcurl, partitions and concatenations of
                // files, shell callbacks, a filesystem made on demand for the default export.
                Arguments.of("curl", List.of("url=file://" + sparseFile)),
                Arguments.of("partitioning", List.of("file=" + sparseFile)),
                Arguments.of("split", List.of("file=" + sparseFile, "file=" + sparseFile)),
                Arguments.of("eval", List.of("get_size=echo 1M", "pread=dd if=/dev/zero count=$3 iflag=count_bytes status=none")),
                Arguments.of("ondemand", List.of("dir=" + ondemand, "size=16M")),
                // The test plugins too: API 1, and a struct cut short before .extents.
                Arguments.of(Recorder.testPlugin("jdmv1"), List.of("size=4M")),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=4M")),
                Arguments.of(Recorder.testPlugin("jdmshort"), List.of("size=4M")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("plugins")
    void shouldAnswerAsNbdkitDoes(String name, List<String> args) throws Exception {
        // One after the other, not side by side: some plugins lock what they serve (ondemand).
        Answers ours;
        try (NbdkitPlugin plugin = NbdkitPlugin.start(name, args, new Recorder()); PluginConnection c = plugin.open(false)) {
            ours = new Answers(c.size(), Maps.map(c), flags(c.capabilities()), Maps.sha256(c));
        }
        Answers theirs;
        try (RealNbdkit peer = RealNbdkit.start(name, args)) {
            theirs = new Answers(peer.size(), peer.map(), flags(peer.info()), peer.sha256());
        }
        assertThat(ours).isEqualTo(theirs);
    }

    record Answers(long size, List<Extent> map, List<String> flags, String sha256) {}

    static List<String> flags(Capabilities caps) {
        List<String> f = new ArrayList<>();
        f.add("read_only=" + !caps.write());
        f.add("flush=" + caps.flush());
        f.add("trim=" + caps.trim());
        f.add("zero=" + caps.zero());
        f.add("fast_zero=" + caps.fastZero());
        f.add("fua=" + (caps.fua() != Capabilities.Fua.NONE));
        f.add("multi_conn=" + caps.multiConn());
        f.add("cache=" + (caps.cache() != Capabilities.Cache.NONE));
        f.add("rotational=" + caps.rotational());
        return f;
    }

    static List<String> flags(JsonNode info) {
        return List.of("read_only=" + info.get("is_read_only").asBoolean(), "flush=" + info.get("can_flush").asBoolean(),
                "trim=" + info.get("can_trim").asBoolean(), "zero=" + info.get("can_zero").asBoolean(),
                "fast_zero=" + info.get("can_fast_zero").asBoolean(), "fua=" + info.get("can_fua").asBoolean(),
                "multi_conn=" + info.get("can_multi_conn").asBoolean(), "cache=" + info.get("can_cache").asBoolean(),
                "rotational=" + info.get("is_rotational").asBoolean());
    }
}
