package dev.jdm.kmod.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Debian kernel fixtures written by {@code .ci/kmod-fixtures.sh}. Missing fixtures
 * fail the build on CI (env CI=true) and skip the test elsewhere.
 */
public final class KernelFixtures {
    private static final String HINT = "kernel fixtures missing: run `bash .ci/kmod-fixtures.sh` from the repository root";

    private KernelFixtures() {
    }

    public static Path dir() {
        String env = System.getenv("JDM_KMOD_FIXTURES");
        if (env == null || env.isBlank()) {
            env = System.getenv("JDM_KMOD_FIXTURES_DEFAULT");
        }
        return Path.of(env == null || env.isBlank() ? "target/kernel-fixtures" : env).toAbsolutePath().normalize();
    }

    /** The fixture directory, or fail (CI) / skip (elsewhere) when it is not ready. */
    public static Path require() {
        Path dir = dir();
        if (!Files.isRegularFile(dir.resolve(".done"))) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(HINT + " (looked in " + dir + ")");
            }
            Assumptions.abort(HINT + " (looked in " + dir + "); skipping");
        }
        return dir;
    }

    public static String kernelRelease() {
        return read(require().resolve("KVER")).strip();
    }

    /** The kernel releases with reference output: the real tree and the compressed one. */
    public static List<String> releases() {
        String k = kernelRelease();
        return List.of(k, k + "-z");
    }

    public static Path moduleDir(String release) {
        return require().resolve("root/lib/modules/" + release);
    }

    public static List<String> modules(String release) {
        try {
            return Files.readAllLines(require().resolve("ref/modules-" + release + ".list"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A "### relpath" separated reference file, as raw bytes (ISO-8859-1) per module. */
    public static Map<String, String> reference(String name) {
        String all = read(require().resolve("ref/" + name));
        return sections(all);
    }

    /** Splits text into blocks, each opened by a "### NAME" line, keyed by NAME. */
    public static Map<String, String> sections(String all) {
        Map<String, String> out = new LinkedHashMap<>();
        String current = null;
        StringBuilder sb = new StringBuilder();
        for (String line : all.split("(?<=\n)")) {
            if (line.startsWith("### ") && line.endsWith("\n")) {
                if (current != null) {
                    out.put(current, sb.toString());
                }
                current = line.substring(4, line.length() - 1);
                sb.setLength(0);
            } else {
                sb.append(line);
            }
        }
        if (current != null) {
            out.put(current, sb.toString());
        }
        return out;
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
