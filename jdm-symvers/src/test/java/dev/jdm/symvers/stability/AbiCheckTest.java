package dev.jdm.symvers.stability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.symvers.AlteredAbi;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link AbiCheck} against copies of the real ABI with one change each, checked against the real
 * frozen JDM_1.0 baseline the ABI carries.
 */
class AbiCheckTest {
    static final AbiModel REAL = AbiModel.fromClassPath();
    /** The generation after the one the real ABI serves: where new symbols would go. */
    static final String NEXT = next(REAL.generation());

    static String next(String generation) {
        Generation g = Generation.parse(generation);
        return new Generation(g.major(), g.minor() + 1).toString();
    }

    /** The newest generation released (a baseline in the real ABI): the one under development may not be released yet. */
    static String newestReleased() {
        return REAL.metadata().keySet().stream().filter(k -> k.matches("baselines/JDM_\\d+\\.\\d+\\.symvers"))
                .map(k -> Generation.parse(k.substring("baselines/".length(), k.length() - ".symvers".length())))
                .max(Generation::compareTo).orElseThrow().toString();
    }

    /** The real ABI with {@code sources} compiled over it, {@code removed} classes gone, serving {@code generation}. */
    static ReleasedAbi altered(String generation, Map<String, String> sources, Map<String, String> metadata, String... removed) {
        return ReleasedAbi.of(AlteredAbi.model("altered-abi", AlteredAbi.classes(sources, removed), generation, metadata));
    }

    static final String DRIVER_WITH_FLUSH = """
            package dev.jdm.abi.blk;
            @dev.jdm.abi.Implemented
            public interface BlockDriver {
                void submit(BlockRequest request);
                void flushAll();
            }
            """;

    @Test
    void shouldPassTheAbiAsBuilt() {
        AbiCheck.Report report = AbiCheck.run(ReleasedAbi.of(REAL));
        assertThat(report.findings()).filteredOn(f -> f.kind().fails()).isEmpty();
        assertThat(report.passes()).isTrue();
    }

    @Test
    void shouldFailAnAbstractMethodAddedToAnImplementedType() {
        AbiCheck.Report report = AbiCheck.run(altered(NEXT, Map.of("dev.jdm.abi.blk.BlockDriver", DRIVER_WITH_FLUSH), Map.of()));
        assertThat(report.passes()).isFalse();
        assertThat(report.of(AbiCheck.Kind.BROKEN)).isNotEmpty()
                .anySatisfy(f -> {
                    assertThat(f.symbol()).isEqualTo(Symbol.type("dev.jdm.abi.blk.BlockDriver"));
                    assertThat(f.generation()).hasToString("JDM_1.0");
                    assertThat(f.reason()).contains("dev.jdm.abi.blk.BlockDriver gained abstract method flushAll()V, which a module built before lacks");
                });
        // every symbol that reaches BlockDriver changed, the builder's register among them
        assertThat(report.of(AbiCheck.Kind.BROKEN)).extracting(f -> f.symbol().toString())
                .contains("dev.jdm.abi.blk.BlockDevice$Builder#register(Ldev/jdm/abi/blk/BlockDriver;)Ldev/jdm/abi/blk/BlockDevice;");
    }

    static String abiSource(String path) {
        try {
            return java.nio.file.Files.readString(Path.of("../jdm-abi/src/main/java/" + path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static AbiCheck.Report withSource(String type, String path, String from, String to) {
        String source = abiSource(path);
        assertThat(source).contains(from);
        return AbiCheck.run(altered(NEXT, Map.of(type, source.replace(from, to)), Map.of()));
    }

    @Test
    void shouldAcceptTheChangesNoModuleCanDependOn() {
        // a constant added: nothing can have inlined it (this refused every kmalloc caller before)
        assertThat(withSource("dev.jdm.abi.mem.Kmem", "dev/jdm/abi/mem/Kmem.java", "int GFP_ZERO = 1;", "int GFP_ZERO = 1;\n    int GFP_LATER = 64;")
                .of(AbiCheck.Kind.BROKEN)).isEmpty();
        // an enum constant added at the end
        assertThat(withSource("dev.jdm.abi.blk.BlockOp", "dev/jdm/abi/blk/BlockOp.java", "    DISCARD\n}", "    DISCARD,\n    VERIFY\n}")
                .of(AbiCheck.Kind.BROKEN)).isEmpty();
        // final removed from a provided class
        assertThat(withSource("dev.jdm.abi.blk.BlockStatus", "dev/jdm/abi/blk/BlockStatus.java", "public final class BlockStatus", "public class BlockStatus")
                .of(AbiCheck.Kind.BROKEN)).isEmpty();
        // a generic signature with the same erasure
        assertThat(withSource("dev.jdm.abi.ModuleContext", "dev/jdm/abi/ModuleContext.java", "<T> Optional<T> lookup(Class<T> api);",
                "<T> Optional<T> lookup(Class<? extends T> api);").of(AbiCheck.Kind.BROKEN)).isEmpty();
    }

    @Test
    void shouldAcceptAMemberPulledUpIntoASupertype() {
        String kmem = abiSource("dev/jdm/abi/mem/Kmem.java").replace("public interface Kmem {", "public interface Kmem extends KmemInfo {")
                .replace("    MemStats stats();", "");
        AbiCheck.Report report = AbiCheck.run(altered(NEXT, Map.of("dev.jdm.abi.mem.Kmem", kmem, "dev.jdm.abi.mem.KmemInfo",
                "package dev.jdm.abi.mem;\n@dev.jdm.abi.Provided\npublic interface KmemInfo {\n    MemStats stats();\n}\n"), Map.of()));
        assertThat(report.findings()).filteredOn(f -> f.kind().fails()).isEmpty();
        assertThat(report.of(AbiCheck.Kind.ADDED)).extracting(f -> f.symbol().toString()).contains("dev.jdm.abi.mem.KmemInfo#stats()Ldev/jdm/abi/mem/MemStats;");
        // pulled up and changed on the way is still a change
        String changed = kmem.replace("public interface Kmem extends KmemInfo {", "public interface Kmem extends KmemInfo {");
        AbiCheck.Report worse = AbiCheck.run(altered(NEXT, Map.of("dev.jdm.abi.mem.Kmem", changed, "dev.jdm.abi.mem.KmemInfo",
                "package dev.jdm.abi.mem;\n@dev.jdm.abi.Provided\npublic interface KmemInfo {\n    static MemStats stats() { return null; }\n}\n"), Map.of()));
        assertThat(worse.of(AbiCheck.Kind.REMOVED)).extracting(f -> f.symbol().toString()).contains("dev.jdm.abi.mem.Kmem#stats()Ldev/jdm/abi/mem/MemStats;");
    }

    @Test
    void shouldReadFactsOlderBaselinesDidNotRecordFromTheReleasedJars() {
        // the JDM_1.0 and JDM_1.1 baselines are format 1: no ordinals, no supertypes; their JARs have both
        assertThat(ReleasedAbi.of(REAL).baselines()).allSatisfy(b -> assertThat(b.fingerprintFormat()).isEqualTo(1));
        AbiCheck.Report inserted = withSource("dev.jdm.abi.blk.BlockOp", "dev/jdm/abi/blk/BlockOp.java", "    FLUSH,", "    FLUSH,\n    VERIFY,");
        assertThat(inserted.of(AbiCheck.Kind.BROKEN)).anySatisfy(f -> assertThat(f.reason())
                .contains("dev.jdm.abi.blk.BlockOp.WRITE_ZEROES has ordinal 4 (was 3)"));
        AbiCheck.Report superclass = withSource("dev.jdm.abi.mem.KmemException", "dev/jdm/abi/mem/KmemException.java",
                "extends RuntimeException", "extends Exception");
        assertThat(superclass.of(AbiCheck.Kind.BROKEN)).anySatisfy(f -> assertThat(f.reason())
                .contains("dev.jdm.abi.mem.KmemException now extends java.lang.Exception (was java.lang.RuntimeException)"));
    }

    @Test
    void shouldRefuseTheChangesSomeModuleCanDependOn() {
        AbiCheck.Report value = withSource("dev.jdm.abi.mem.Kmem", "dev/jdm/abi/mem/Kmem.java", "int GFP_ZERO = 1;", "int GFP_ZERO = 8;");
        assertThat(value.of(AbiCheck.Kind.BROKEN)).isNotEmpty()
                .allSatisfy(f -> assertThat(f.reason()).contains("constant GFP_ZERO:I changed from 1 to 8; a module may have inlined 1"));
        // a record component added: what reaches the record is fine, the old canonical constructor is gone
        AbiCheck.Report component = withSource("dev.jdm.abi.mem.MemStats", "dev/jdm/abi/mem/MemStats.java", "long vmallocBytes)",
                "long vmallocBytes, long dmaBytes)");
        assertThat(component.of(AbiCheck.Kind.BROKEN)).isEmpty();
        assertThat(component.of(AbiCheck.Kind.REMOVED)).extracting(f -> f.symbol().toString()).contains("dev.jdm.abi.mem.MemStats#<init>(JJJJ)V");
        // final added to an implemented type
        String loadable = abiSource("dev/jdm/abi/LoadableModule.java").replace("public interface LoadableModule extends AutoCloseable",
                "public sealed interface LoadableModule extends AutoCloseable permits OnlyOne");
        AbiCheck.Report sealed = AbiCheck.run(altered(NEXT, Map.of("dev.jdm.abi.LoadableModule", loadable, "dev.jdm.abi.OnlyOne",
                "package dev.jdm.abi;\n@Provided public final class OnlyOne implements LoadableModule { public void close() {} }\n"), Map.of()));
        assertThat(sealed.of(AbiCheck.Kind.BROKEN)).anySatisfy(f -> assertThat(f.reason()).contains("became sealed, but modules implement it"));
    }

    @Test
    void shouldFailARemovedSymbolAndPassItOnceRevoked() {
        String removed = "dev/jdm/abi/sec/ChrCall";
        AbiCheck.Report gone = AbiCheck.run(altered(NEXT, Map.of(), Map.of(), removed));
        assertThat(gone.of(AbiCheck.Kind.REMOVED)).extracting(f -> f.symbol().toString()).contains("dev.jdm.abi.sec.ChrCall");
        assertThat(gone.of(AbiCheck.Kind.REMOVED).getFirst().reason()).contains("only a security revocation");

        String toml = """
                [[revoked]]
                symbol = "dev.jdm.abi.sec.ChrCall"
                generation = "%s"
                advisory = "JDM-SA-TEST-1"
                text = "test revocation"
                """.formatted(NEXT);
        AbiCheck.Report revoked = AbiCheck.run(altered(NEXT, Map.of(), Map.of("revoked.toml", toml), removed));
        // once per released generation that had it
        assertThat(revoked.of(AbiCheck.Kind.REVOKED)).extracting(f -> f.symbol().toString()).containsOnly("dev.jdm.abi.sec.ChrCall")
                .hasSize(ReleasedAbi.of(REAL).baselines().size());
        // its members went too, and are not revoked one by one: those still fail
        assertThat(revoked.of(AbiCheck.Kind.REMOVED)).isNotEmpty().allSatisfy(f -> assertThat(f.symbol().owner()).isEqualTo("dev.jdm.abi.sec.ChrCall"));
    }

    @Test
    void shouldFailARevocationOfASymbolStillThere() {
        String toml = """
                [[revoked]]
                symbol = "dev.jdm.abi.sec.ChrCall"
                generation = "%s"
                advisory = "JDM-SA-TEST-2"
                text = "still exported"
                """.formatted(NEXT);
        AbiCheck.Report report = AbiCheck.run(altered(NEXT, Map.of(), Map.of("revoked.toml", toml)));
        assertThat(report.of(AbiCheck.Kind.BAD_REVOCATION)).singleElement().satisfies(f -> assertThat(f.reason()).contains("still in the ABI"));
    }

    @Test
    void shouldListAdditionsAsTheNextGenerationAndRefuseThemInAReleasedOne() {
        String newType = """
                package dev.jdm.abi.blk;
                @dev.jdm.abi.Provided
                public interface BlockQueueStats { long depth(); }
                """;
        AbiCheck.Report next = AbiCheck.run(altered(NEXT, Map.of("dev.jdm.abi.blk.BlockQueueStats", newType), Map.of()));
        assertThat(next.passes()).isTrue();
        assertThat(next.of(AbiCheck.Kind.ADDED)).extracting(f -> f.symbol().toString())
                .contains("dev.jdm.abi.blk.BlockQueueStats", "dev.jdm.abi.blk.BlockQueueStats#depth()J");
        assertThat(next.of(AbiCheck.Kind.ADDED)).allSatisfy(f -> assertThat(f.generation()).hasToString(NEXT));

        AbiCheck.Report frozen = AbiCheck.run(altered(newestReleased(), Map.of("dev.jdm.abi.blk.BlockQueueStats", newType), Map.of()));
        assertThat(frozen.passes()).isFalse();
        assertThat(frozen.of(AbiCheck.Kind.FROZEN)).singleElement().satisfies(f -> assertThat(f.reason()).contains("raise jdm-abi's generation").contains(next(newestReleased())));
    }

    @Test
    void shouldRefuseABaselineNewerThanTheAbiOrMisnamed() {
        byte[] table = REAL.metadata().get("baselines/JDM_1.0.symvers");
        String text = new String(table, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> altered(REAL.generation(), Map.of(), Map.of("baselines/JDM_1.5.symvers", text.replace("#!generation JDM_1.0", "#!generation JDM_1.5"))))
                .isInstanceOf(SymversException.class).hasMessageContaining("newer than the generation it serves");
        assertThatThrownBy(() -> altered(NEXT, Map.of(), Map.of("baselines/JDM_0.9.symvers", text)))
                .isInstanceOf(SymversException.class).hasMessageContaining("must be named baselines/JDM_1.0.symvers");
    }

    @Test
    void shouldRefuseAMalformedRevocationListNamingTheEntry() {
        java.util.function.Function<String, Throwable> parse = toml -> org.assertj.core.api.Assertions.catchThrowable(
                () -> Revocations.parse(toml.getBytes(StandardCharsets.UTF_8), "revoked.toml"));
        assertThat(parse.apply("[[revoked]]\nsymbol = \"dev.jdm.abi.Log\"\ngeneration = \"JDM_1.2\"\nadvisory = \"A\"\n"))
                .isInstanceOf(SymversException.class).hasMessage("revoked.toml: [[revoked]] #1: \"text\" is missing or not a string");
        assertThat(parse.apply("[[revoked]]\nsymbol = \"x y\"\ngeneration = \"JDM_1.2\"\nadvisory = \"A\"\ntext = \"t\"\n"))
                .hasMessageStartingWith("revoked.toml: [[revoked]] #1: not a symbol: x y");
        assertThat(parse.apply("[[revoked]]\nsymbol = \"dev.jdm.abi.Log\"\ngeneration = \"1.2\"\nadvisory = \"A\"\ntext = \"t\"\n"))
                .hasMessageContaining("not an ABI generation: \"1.2\"");
        assertThat(parse.apply("[[revoked]]\nsymbol = \"dev.jdm.abi.Log\"\nwhen = \"now\"\n")).hasMessageContaining("unknown key \"when\"");
        assertThat(parse.apply("revokd = []\n")).hasMessageContaining("unknown key \"revokd\"");
        assertThat(parse.apply("[[revoked\n")).hasMessageStartingWith("revoked.toml: not valid TOML");
    }

    @Test
    void shouldRoundTripTheBaselineFormat() {
        ReleasedAbi abi = ReleasedAbi.of(REAL);
        Baseline b = abi.baseline(Generation.parse("JDM_1.0")).orElseThrow();
        Baseline again = Baseline.parse(b.format().getBytes(StandardCharsets.UTF_8), "again");
        assertThat(again.format()).isEqualTo(b.format());
        assertThat(again.rows()).hasSize(b.rows().size()).hasSizeGreaterThan(300);
        assertThatThrownBy(() -> Baseline.parse("0x1\tdev.jdm.abi.Log\tJDM_1.0\t\n".getBytes(StandardCharsets.UTF_8), "x.symvers"))
                .hasMessageContaining("x.symvers: not an ABI baseline");
        assertThatThrownBy(() -> Generation.parse("JDM-1")).hasMessageContaining("expected JDM_<major>.<minor>");
        assertThat(Generation.parse("JDM_1.10").isAfter(Generation.parse("JDM_1.9"))).isTrue();
    }
}
