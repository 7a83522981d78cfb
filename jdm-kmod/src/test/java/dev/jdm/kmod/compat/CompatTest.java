package dev.jdm.kmod.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ModVersions;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.testing.KernelFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check and diff verdicts on the freshly built out-of-tree module against crafted Module.symvers. */
class CompatTest {
    @TempDir
    Path tmp;

    private Path module() {
        return KernelFixtures.require().resolve("oot/jdmhello.ko");
    }

    /** A symvers that exports exactly what the module was built against. */
    private String matchingSymvers() throws KmodException {
        return ModVersions.read(ModuleFile.open(module()).elf()).stream()
                .map(v -> String.format("0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t%n", v.crc(), v.symbol()))
                .collect(Collectors.joining());
    }

    private List<LoadVerdict> check(String symvers) throws Exception {
        Path p = Files.writeString(tmp.resolve("Module.symvers"), symvers);
        return new LoadChecker(KernelAbi.load(p)).check(List.of(module()));
    }

    @Test
    void shouldLoadAgainstTheHeadersItWasBuiltWith() throws Exception {
        Path headers = KernelFixtures.require().resolve("root/usr/src/linux-headers-" + KernelFixtures.kernelRelease());
        LoadVerdict v = new LoadChecker(KernelAbi.load(headers)).check(List.of(module())).getFirst();
        assertThat(v.willLoad()).as(v.problems().toString()).isTrue();
        assertThat(v.checked()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldLoadAgainstAGzippedMatchingSymvers() throws Exception {
        Path gz = tmp.resolve("symvers.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(matchingSymvers().getBytes());
        }
        assertThat(new LoadChecker(KernelAbi.load(gz)).check(List.of(module())).getFirst().willLoad()).isTrue();
    }

    @Test
    void shouldReportTheChangedCrcWithBothValuesAndTheExporter() throws Exception {
        String symvers = matchingSymvers().replaceFirst("0x[0-9a-f]{8}\t_printk\tvmlinux", "0xdeadbeef\t_printk\tvmlinux");
        LoadVerdict v = check(symvers).getFirst();
        assertThat(v.willLoad()).isFalse();
        Problem p = v.problems().getFirst();
        assertThat(p.kind()).isEqualTo(Problem.Kind.CRC_MISMATCH);
        assertThat(p.symbol()).isEqualTo("_printk");
        assertThat(p.kernelCrc()).isEqualTo(0xdeadbeefL);
        assertThat(p.exporter()).isEqualTo("vmlinux");
        assertThat(p.detail()).contains("0xdeadbeef");
    }

    @Test
    void shouldReportAMissingSymbol() throws Exception {
        String symvers = matchingSymvers().lines().filter(l -> !l.contains("\t_printk\t")).map(l -> l + "\n")
                .collect(Collectors.joining());
        LoadVerdict v = check(symvers).getFirst();
        assertThat(v.problems()).extracting(Problem::kind, Problem::symbol)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Problem.Kind.UNKNOWN_SYMBOL, "_printk"));
    }

    @Test
    void shouldAcceptGplOnlyExportsForAGplModuleAndRequireNamespaceImports() throws Exception {
        String gpl = matchingSymvers().replace("\t_printk\tvmlinux\tEXPORT_SYMBOL\t", "\t_printk\tvmlinux\tEXPORT_SYMBOL_GPL\t");
        assertThat(check(gpl).getFirst().willLoad()).isTrue(); // MODULE_LICENSE("GPL")
        String ns = matchingSymvers().replace("\t_printk\tvmlinux\tEXPORT_SYMBOL\t", "\t_printk\tvmlinux\tEXPORT_SYMBOL\tPRINTK_NS");
        assertThat(check(ns).getFirst().problems()).extracting(Problem::kind).containsExactly(Problem.Kind.MISSING_NAMESPACE);
    }

    @Test
    void shouldDiffTwoKernelsAndFindWeakUpdateCandidates() throws Exception {
        Path oldK = Files.writeString(tmp.resolve("old.symvers"), matchingSymvers()
                + "0x11111111\tgone_symbol\tdrivers/foo/foo\tEXPORT_SYMBOL_GPL\t\n");
        String changed = matchingSymvers().replaceFirst("0x[0-9a-f]{8}\t__fentry__", "0x0badf00d\t__fentry__");
        Path newK = Files.writeString(tmp.resolve("new.symvers"), changed + "0x22222222\tnew_symbol\tvmlinux\tEXPORT_SYMBOL\tNS\n");
        List<SymbolChange> all = AbiDiff.diff(Symvers.read(oldK), Symvers.read(newK), null);
        assertThat(all).extracting(SymbolChange::change, SymbolChange::symbol).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(SymbolChange.Change.REMOVED, "gone_symbol"),
                org.assertj.core.groups.Tuple.tuple(SymbolChange.Change.CRC_CHANGED, "__fentry__"),
                org.assertj.core.groups.Tuple.tuple(SymbolChange.Change.ADDED, "new_symbol"));
        var imports = AbiDiff.imports(List.of(module()));
        assertThat(AbiDiff.diff(Symvers.read(oldK), Symvers.read(newK), AbiDiff.importedSymbols(imports)))
                .extracting(SymbolChange::symbol).containsExactly("__fentry__");
        Map<String, List<String>> weak = AbiDiff.weakUpdates(imports, Symvers.read(oldK), Symvers.read(newK));
        assertThat(weak.get("jdmhello")).singleElement().asString().startsWith("__fentry__");
        assertThat(AbiDiff.weakUpdates(imports, Symvers.read(oldK), Symvers.read(oldK)).get("jdmhello")).isEmpty();
    }

    @Test
    void shouldRejectADirectoryWithoutSymversOrModules() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KernelAbi.load(empty))
                .isInstanceOf(KmodException.class).hasMessageContaining("neither a Module.symvers nor a module tree");
    }
}
