package dev.jdm.host.module.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.HostException;
import dev.jdm.host.module.ExportTable;
import dev.jdm.host.module.Linker;
import dev.jdm.symvers.AlteredAbi;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.LinkTargets;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.Modpost;
import dev.jdm.symvers.SourceNames;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.TestCompiler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Precision and recall of the loader's verdicts over a corpus of ABI mutations × sample modules.
 * Each module is built against the real ABI; each mutation makes a host ABI of an unreleased
 * generation (so no baseline vouches for anything and the verdict rests on fingerprints and the
 * fact rules alone). The verdict of the loader is compared with the truth that
 * {@link LinkageOracle} establishes by linking and running the binary, and with what plain hash
 * equality (genksyms-style) would have said. Prints the table; fails if the loader accepts a
 * breaking change it is expected to catch, or if it gets worse.
 */
class AbiMutationSuiteTest {
    static final AbiModel REAL = AbiModel.fromClassPath();
    static final String HOST_GENERATION = "JDM_9.0";

    /** Breaking changes the loader is known to accept, named so that the list cannot grow silently: none. */
    static final List<String> KNOWN_MISSES = List.of();

    @TempDir
    Path tmp;

    record Case(String mutation, String module, boolean refused, boolean hashRefused, String truth) {
        boolean breaks() {
            return truth != null;
        }
    }

    @Test
    void shouldRefuseExactlyTheBreakingChanges() throws Exception {
        Map<String, byte[]> realAbi = AlteredAbi.realClasses();
        Map<String, Built> modules = new HashMap<>();
        for (var e : SampleModules.all().entrySet()) {
            modules.put(e.getKey(), build(e.getKey(), e.getValue()));
        }
        List<Case> cases = new ArrayList<>();
        for (AbiMutation m : AbiMutation.all()) {
            Map<String, String> sources = new HashMap<>(m.added());
            sources.put(m.type(), m.source());
            Map<String, byte[]> mutated = AlteredAbi.classes(sources);
            ExportTable host = new ExportTable(AlteredAbi.model("mutated-abi", mutated, HOST_GENERATION, Map.of()));
            for (var e : modules.entrySet()) {
                Built b = e.getValue();
                String truth = new LinkageOracle(realAbi, SampleModules.all().get(e.getKey()), b.jar().classes())
                        .breaksAgainst(mutated, tmp).orElse(null);
                cases.add(new Case(m.name(), e.getKey(), refused(host, b), hashRefused(host, b), truth));
            }
        }
        report(cases);
        for (Case c : cases) {
            String key = c.mutation() + " × " + c.module();
            if (c.breaks() && !c.refused()) {
                assertThat(KNOWN_MISSES).as("a breaking change accepted: %s (%s)", key, c.truth()).contains(key);
            }
        }
        long falsePositives = cases.stream().filter(c -> c.refused() && !c.breaks()).count();
        long hashFalsePositives = cases.stream().filter(c -> c.hashRefused() && !c.breaks()).count();
        assertThat(falsePositives).as("compatible changes refused").isLessThan(hashFalsePositives);
        assertThat(cases.stream().filter(c -> c.breaks() && !c.refused()).map(c -> c.mutation() + " × " + c.module()))
                .as("every known miss still happens, or the list is stale").containsExactlyInAnyOrderElementsOf(KNOWN_MISSES);
    }

    record Built(JarContents jar, ModInfo info, SymbolTable versions) {}

    Built build(String name, Map<String, String> sources) {
        TestCompiler c = new TestCompiler().withAbi();
        sources.forEach(c::source);
        Map<String, byte[]> classes = c.compile();
        Modpost.Output out = Modpost.run(new JarContents(name + ".jar", classes, Map.of()), REAL, List.of(),
                java.util.Optional.of(SourceNames.scan(sources.values())));
        String modinfo = out.modinfo().format().replaceFirst("(?m)^abi=.*$", "abi=" + HOST_GENERATION);
        Map<String, byte[]> meta = Map.of("modinfo", modinfo.getBytes(StandardCharsets.UTF_8),
                "versions", out.versions().format().getBytes(StandardCharsets.UTF_8));
        JarContents jar = new JarContents(name + ".jar", classes, meta);
        return new Built(jar, ModInfo.parse(meta.get("modinfo"), name), out.versions());
    }

    static boolean refused(ExportTable host, Built b) {
        try {
            new Linker(host, w -> { }).link(b.jar(), b.jar().origin(), b.info(), List.of(), false);
            return false;
        } catch (HostException e) {
            return true;
        }
    }

    /** genksyms-style: refuse when any imported symbol is missing or its hash differs. */
    static boolean hashRefused(ExportTable host, Built b) {
        return b.versions().entries().stream().filter(e -> e.provider().equals(LinkTargets.ABI))
                .anyMatch(e -> host.get(e.symbol()).map(x -> x.fingerprint() != e.fingerprint()).orElse(true));
    }

    static void report(List<Case> cases) {
        System.out.println("ABI mutation suite: " + cases.size() + " verdicts");
        for (Case c : cases) {
            if (c.breaks() || c.refused() || c.hashRefused()) {
                System.out.printf("  %-45s %-11s loader=%-7s hash=%-7s truth=%s%n", c.mutation(), c.module(), c.refused() ? "refuse" : "accept",
                        c.hashRefused() ? "refuse" : "accept", c.breaks() ? "breaks (" + c.truth() + ")" : "compatible");
            }
        }
        System.out.println("  loader: " + score(cases, true));
        System.out.println("  hash:   " + score(cases, false));
    }

    static String score(List<Case> cases, boolean loader) {
        long tp = cases.stream().filter(c -> (loader ? c.refused() : c.hashRefused()) && c.breaks()).count();
        long fp = cases.stream().filter(c -> (loader ? c.refused() : c.hashRefused()) && !c.breaks()).count();
        long fn = cases.stream().filter(c -> !(loader ? c.refused() : c.hashRefused()) && c.breaks()).count();
        double precision = tp + fp == 0 ? 1 : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? 1 : (double) tp / (tp + fn);
        return String.format("precision %.2f recall %.2f (refused %d breaking, %d compatible; accepted %d breaking)", precision, recall, tp, fp, fn);
    }
}
