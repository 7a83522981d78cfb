package dev.jdm.kmod.weak;

import static org.assertj.core.api.Assertions.fail;

import dev.jdm.kmod.testing.KernelFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private copy of the fixtures' weak-updates root (four kernels, see .ci/kmod-fixtures.sh):
 * modules are hard links (the tests never write to them), everything else is copied, so a
 * test may change the tree freely.
 */
final class WeakRoot implements AutoCloseable {
    final Path dir;
    final String a;
    final List<String> older;
    final String kabi;

    private WeakRoot(Path dir, String a, List<String> older) {
        this.dir = dir;
        this.a = a;
        this.older = older;
        this.kabi = a + "-kabi";
    }

    static WeakRoot copy() throws IOException {
        Path fix = KernelFixtures.require();
        Path src = fix.resolve("weak/root");
        Path dst = Files.createTempDirectory(fix, "weak-test-");
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.toList()) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(to, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (p.toString().endsWith(".ko")) {
                    Files.createLink(to, p);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return new WeakRoot(dst, KernelFixtures.kernelRelease(), Files.readAllLines(fix.resolve("KVER-OLD")));
    }

    /** kmod's depmod and modprobe, the peers; CI must have them, elsewhere the test skips. */
    static void requireKmod() {
        for (String tool : List.of("depmod", "modprobe")) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            if (!found) {
                String msg = "kmod's " + tool + " is not on PATH (apt-get install kmod)";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(msg);
                }
                Assumptions.abort(msg + "; skipping");
            }
        }
    }

    Path moduleDir(String kver) {
        return dir.resolve("lib/modules/" + kver);
    }

    Path vendor(String rel) {
        return moduleDir(a).resolve(rel);
    }

    /** The fat family and the out-of-tree module, all built for A. */
    List<Path> vendorModules() {
        return List.of(vendor("kernel/fs/fat/fat.ko"), vendor("kernel/fs/fat/vfat.ko"), vendor("kernel/fs/fat/msdos.ko"),
                vendor("extra/jdmhello.ko"));
    }

    List<String> targets() {
        List<String> out = new ArrayList<>(older);
        out.add(kabi);
        return out;
    }

    /** Module name → link text, for every link in a kernel's weak-updates. */
    Map<String, String> links(String kver) {
        Map<String, String> out = new TreeMap<>();
        Path wu = moduleDir(kver).resolve("weak-updates");
        if (!Files.isDirectory(wu)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(wu)) {
            for (Path p : walk.filter(Files::isSymbolicLink).toList()) {
                String n = p.getFileName().toString();
                out.put(n.substring(0, n.indexOf('.')), Files.readSymbolicLink(p).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Every path below the root with its link text or what its contents are: to see that nothing changed. */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (rel.endsWith(".ko")) { // hard links to the fixtures: size and time tell a change
                    out.put(rel, Files.size(p) + "@" + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))));
                } else {
                    out.put(rel, "dir");
                }
            }
        }
        return out;
    }

    /** The module indexes depmod writes, by file name. */
    Map<String, String> indexes(String kver) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(moduleDir(kver))) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("modules.")).toList()) {
                out.put(p.getFileName().toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
