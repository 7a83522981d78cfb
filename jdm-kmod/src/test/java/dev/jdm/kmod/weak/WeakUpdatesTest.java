package dev.jdm.kmod.weak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import dev.jdm.kmod.symbols.Symvers;
import dev.jdm.kmod.symbols.SymversEntry;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The weak-updates rules on the fixture kernels, through the library. */
class WeakUpdatesTest {

    private static WeakUpdates jdm(WeakRoot root) {
        return new WeakUpdates(new ModuleRoot(root.dir), Indexes.jdm(), false);
    }

    private static List<Decision> decisions(WeakUpdatesReport r, String kernel) {
        return r.kernels().stream().filter(k -> k.kernel().release().equals(kernel)).findFirst().orElseThrow().decisions();
    }

    private static Set<String> imports(Path module) throws KmodException {
        return Imports.read(ModuleFile.open(module).elf()).stream().map(ImportedSymbol::symbol).collect(Collectors.toSet());
    }

    @Test
    void shouldLinkASetThatNeedsEachOtherTogetherOrNotAtAll() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            // A kABI update of B (all of the fat family fits B as shipped) that changes a vmlinux
            // symbol only fat.ko imports: vfat and msdos still match the kernel, but need fat.
            // It goes to /boot/symvers-B.gz, which is looked at before the headers.
            String b = root.older.getFirst();
            InstalledKernel kb = new InstalledKernel(new ModuleRoot(root.dir), b);
            Symvers symvers = Symvers.read(kb.requireSymvers());
            Set<String> onlyFat = new HashSet<>(imports(root.vendor("kernel/fs/fat/fat.ko")));
            onlyFat.removeAll(imports(root.vendor("kernel/fs/fat/vfat.ko")));
            onlyFat.removeAll(imports(root.vendor("kernel/fs/fat/msdos.ko")));
            SymversEntry victim = symvers.entries().stream().filter(e -> e.isVmlinux() && onlyFat.contains(e.symbol()))
                    .sorted(java.util.Comparator.comparing(SymversEntry::symbol)).findFirst().orElseThrow();
            symvers.add(new SymversEntry(victim.symbol(), victim.crc() ^ 1, "vmlinux", victim.gplOnly(), victim.namespace()));
            Path boot = root.dir.resolve("boot/symvers-" + b + ".gz");
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(boot))) {
                for (SymversEntry e : symvers.entries()) {
                    out.write(String.format("0x%08x\t%s\t%s\t%s\t%s\n", e.crc(), e.symbol(), e.module(),
                            e.gplOnly() ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL", e.namespace()).getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(kb.requireSymvers()).isEqualTo(boot);
            WeakUpdatesReport r = jdm(root).addModules(root.vendorModules().subList(0, 3));
            assertThat(decisions(r, b)).extracting(Decision::name, Decision::outcome, Decision::reason).containsExactly(
                    tuple("fat", Decision.Outcome.NOT_LINKED, Decision.Reason.DOES_NOT_LOAD),
                    tuple("vfat", Decision.Outcome.NOT_LINKED, Decision.Reason.NEEDS),
                    tuple("msdos", Decision.Outcome.NOT_LINKED, Decision.Reason.NEEDS));
            assertThat(decisions(r, b).getFirst().detail()).contains("version of symbol " + victim.symbol());
            assertThat(decisions(r, b).get(1).detail()).startsWith("needs fat (for ").endsWith("which is not linked for " + b);
            assertThat(root.links(b)).isEmpty();
            assertThat(root.moduleDir(b).resolve("weak-updates")).doesNotExist();
        }
    }

    @Test
    void shouldLetTheTargetsOwnModuleTakePrecedence() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            String b = root.older.getFirst();
            Path own = Files.createDirectories(root.moduleDir(b).resolve("extra"));
            Files.copy(root.vendor("extra/jdmhello.ko"), own.resolve("jdmhello.ko"));
            WeakUpdatesReport r = jdm(root).addModules(List.of(root.vendor("extra/jdmhello.ko")));
            Decision d = decisions(r, b).getFirst();
            assertThat(d.reason()).isEqualTo(Decision.Reason.SHADOWED);
            assertThat(d.detail()).contains("ships its own jdmhello in extra/jdmhello.ko");
            assertThat(root.links(b)).isEmpty();
            // nothing is planned for the kernel the module was built for
            assertThat(r.kernels()).extracting(k -> k.kernel().release()).doesNotContain(root.a).contains(root.kabi);
        }
    }

    @Test
    void shouldRemoveAModuleAndTheLinksThatNeedIt() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            String b = root.older.getFirst();
            jdm(root).addModules(root.vendorModules());
            assertThat(root.links(b)).containsOnlyKeys("fat", "vfat", "msdos", "jdmhello");
            Path fat = root.vendor("kernel/fs/fat/fat.ko");
            Files.delete(fat); // as after a package removal: the file is gone, the links dangle
            WeakUpdatesReport r = jdm(root).removeModules(List.of(fat));
            assertThat(root.links(b)).containsOnlyKeys("jdmhello");
            assertThat(root.links(root.kabi)).containsOnlyKeys("jdmhello");
            assertThat(decisions(r, b)).extracting(Decision::name, Decision::outcome).contains(
                    tuple("fat", Decision.Outcome.UNLINKED), tuple("vfat", Decision.Outcome.UNLINKED),
                    tuple("msdos", Decision.Outcome.UNLINKED), tuple("jdmhello", Decision.Outcome.KEPT));
            assertThat(root.moduleDir(b).resolve("weak-updates/fs")).doesNotExist();
            assertThat(Files.readString(root.moduleDir(b).resolve("modules.dep"))).doesNotContain("weak-updates/fs/fat")
                    .contains("weak-updates/jdmhello.ko:");
            assertThat(r.regenerated()).contains(b, root.kabi);
        }
    }

    @Test
    void shouldAddAndRemoveAKernel() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            String b = root.older.getFirst();
            WeakUpdatesReport r = jdm(root).addKernel(b);
            // add-kernel takes the other kernels' extra/ and updates/, not their kernel/ trees
            assertThat(root.links(b)).containsOnlyKeys("jdmhello");
            assertThat(r.regenerated()).containsExactly(b);
            assertThat(Files.readString(root.moduleDir(b).resolve("modules.dep"))).contains("weak-updates/jdmhello.ko:");
            jdm(root).removeKernel(b);
            assertThat(root.links(b)).isEmpty();
            assertThat(Files.readString(root.moduleDir(b).resolve("modules.dep"))).doesNotContain("weak-updates");
        }
    }

    @Test
    void shouldRefuseADanglingLinkAndChangeNothing() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            Path wu = Files.createDirectories(root.moduleDir(root.kabi).resolve("weak-updates"));
            Files.createSymbolicLink(wu.resolve("gone.ko"), Path.of("../../" + root.a + "/extra/gone.ko"));
            var before = root.snapshot();
            assertThatThrownBy(() -> jdm(root).addModules(root.vendorModules())).isInstanceOf(KmodException.class)
                    .hasMessageContaining("gone.ko: dangling link").hasMessageContaining("--remove-modules");
            assertThat(root.snapshot()).isEqualTo(before);
            // the way out the message names
            jdm(root).removeModules(List.of(root.vendor("extra/gone.ko")));
            assertThat(wu.resolve("gone.ko")).doesNotExist();
        }
    }

    @Test
    void shouldUndoEveryLinkWhenOneCannotBeMade() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            String b = root.older.getFirst();
            // a file where weak-updates/fs must be a directory: the links of b fail, after the
            // kABI kernel's (newest first) were made
            Files.createDirectories(root.moduleDir(b).resolve("weak-updates"));
            Files.writeString(root.moduleDir(b).resolve("weak-updates/fs"), "not a directory");
            var before = root.snapshot();
            assertThatThrownBy(() -> jdm(root).addModules(root.vendorModules())).isInstanceOf(KmodException.class)
                    .hasMessageContaining("weak-updates/fs/fat/").hasMessageContaining("nothing was changed");
            assertThat(root.snapshot()).isEqualTo(before);
        }
    }

    @Test
    void shouldSeeOneModuleThroughEitherPathOfAMergedUsr() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            // Debian 12 and RHEL 9: /lib is a link to usr/lib
            Files.createDirectories(root.dir.resolve("usr"));
            Files.move(root.dir.resolve("lib"), root.dir.resolve("usr/lib"));
            Files.createSymbolicLink(root.dir.resolve("lib"), Path.of("usr/lib"));
            String b = root.older.getFirst();
            Path viaUsr = root.dir.resolve("usr/lib/modules/" + root.a + "/extra/jdmhello.ko");
            WeakUpdatesReport added = jdm(root).addModules(List.of(viaUsr));
            assertThat(decisions(added, b)).extracting(Decision::outcome).containsExactly(Decision.Outcome.LINKED);
            assertThat(root.links(b)).containsEntry("jdmhello", "../../" + root.a + "/extra/jdmhello.ko");
            // still installed: as after a package update, its links stay
            WeakUpdatesReport kept = jdm(root).removeModules(List.of(root.vendor("extra/jdmhello.ko")));
            assertThat(kept.warnings()).singleElement().asString().contains("jdmhello.ko: still installed, so its links stay");
            assertThat(root.links(b)).containsOnlyKeys("jdmhello");
            Files.delete(viaUsr);
            WeakUpdatesReport removed = jdm(root).removeModules(List.of(root.vendor("extra/jdmhello.ko")));
            assertThat(decisions(removed, b)).extracting(Decision::outcome).containsExactly(Decision.Outcome.UNLINKED);
            assertThat(root.links(b)).isEmpty();
        }
    }

    @Test
    void shouldSortReleasesByVersion() {
        assertThat(List.of("6.1.0-10-amd64", "6.1.0-9-amd64", "6.12.1", "6.1.0-57-amd64-kabi", "6.1.0-57-amd64").stream()
                .sorted(Releases.ORDER).toList())
                .containsExactly("6.1.0-9-amd64", "6.1.0-10-amd64", "6.1.0-57-amd64", "6.1.0-57-amd64-kabi", "6.12.1");
    }
}
