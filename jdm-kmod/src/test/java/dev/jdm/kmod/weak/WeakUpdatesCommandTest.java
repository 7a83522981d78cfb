package dev.jdm.kmod.weak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.cli.KmodMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's wording, its flags and its one-line errors; each bad input leaves the tree as it was. */
class WeakUpdatesCommandTest {
    record Run(int rc, String out, String err) {
    }

    private static Run cli(WeakRoot root, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("weak-updates", "-b", root.dir.toString()));
        all.addAll(List.of(args));
        int rc = KmodMain.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(all.toArray(String[]::new));
        return new Run(rc, out.toString(), err.toString());
    }

    /** Runs a bad input: exit 1, one line on stderr containing {@code expected}, nothing changed. */
    private static void refuses(WeakRoot root, String expected, String... args) throws Exception {
        var before = root.snapshot();
        Run r = cli(root, args);
        assertThat(r.rc()).as(r.err()).isEqualTo(1);
        assertThat(r.err().lines()).as(r.err()).singleElement().asString().startsWith("kmod weak-updates: ").contains(expected);
        assertThat(root.snapshot()).isEqualTo(before);
    }

    @Test
    void shouldSayForEachModuleAndKernelWhyInCheckWords() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            List<String> args = new ArrayList<>(List.of("--verbose", "--add-modules"));
            root.vendorModules().forEach(m -> args.add(m.toString()));
            Run r = cli(root, args.toArray(String[]::new));
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.out()).contains("msdos.ko (" + root.a + ") -> " + root.kabi
                    + ": not linked: disagrees about version of symbol strchr: module has 0x")
                    .contains("fat.ko (" + root.a + ") -> " + root.kabi + ": linked: fits")
                    .contains("link " + root.moduleDir(root.kabi).resolve("weak-updates/fs/fat/fat.ko")
                            + " -> ../../../../" + root.a + "/kernel/fs/fat/fat.ko")
                    .contains("depmod " + root.kabi);
        }
    }

    @Test
    void shouldRefuseAModuleWhoseVermagicTheKernelWouldRefuse() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            // the same module with other build flags in its vermagic: same_magic() compares what
            // follows the release even when CRCs are present
            byte[] ko = Files.readAllBytes(root.vendor("extra/jdmhello.ko"));
            String text = new String(ko, StandardCharsets.ISO_8859_1);
            assertThat(text).contains(" SMP preempt mod_unload modversions ");
            byte[] patched = text.replace(" SMP preempt mod_unload modversions ", " SMP PREEMPT mod_unload modversions ")
                    .getBytes(StandardCharsets.ISO_8859_1);
            Path vendor = Files.createDirectories(root.dir.resolve("opt/vendor")).resolve("jdmhello.ko");
            Files.write(vendor, patched);
            Run r = cli(root, "--json", "--add-modules", vendor.toString());
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"reason\" : \"does_not_load\"").contains("\"kind\" : \"vermagic\"")
                    .contains("version magic '" + root.a + " SMP PREEMPT mod_unload modversions ' should be '")
                    // outside lib/modules: the kernel comes from vermagic, the link path from the root
                    .contains("\"from_kernel\" : \"" + root.a + "\"")
                    .contains("weak-updates/opt/vendor/jdmhello.ko");
            assertThat(root.links(root.kabi)).isEmpty();
        }
    }

    @Test
    void shouldReadModulesFromStdinAndRegenerateWithKmodsDepmod() throws Exception {
        WeakRoot.requireKmod();
        try (WeakRoot root = WeakRoot.copy()) {
            Path list = Files.writeString(root.dir.resolve("modules.txt"), root.vendor("extra/jdmhello.ko") + "\n");
            List<String> cmd = Tools.jdmKmodCommand("weak-updates", "-b", root.dir.toString(), "--depmod=kmod", "--add-modules");
            Process p = new ProcessBuilder(cmd).redirectInput(list.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            String b = root.older.getFirst();
            assertThat(root.links(b)).containsOnlyKeys("jdmhello");
            assertThat(Files.readString(root.moduleDir(b).resolve("modules.dep"))).contains("weak-updates/jdmhello.ko:");
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotElf() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            Path bogus = Files.writeString(root.moduleDir(root.a).resolve("extra/bogus.ko"), "#!/bin/sh\n");
            refuses(root, "bogus.ko: not an ELF file", "--add-modules", root.vendor("extra/jdmhello.ko").toString(), bogus.toString());
        }
    }

    @Test
    void shouldRefuseAMissingModuleFile() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            refuses(root, "nosuch.ko: no such file", "--add-modules", root.dir.resolve("nosuch.ko").toString());
        }
    }

    @Test
    void shouldRefuseAKernelWithoutSymvers() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            String b = root.older.getFirst();
            Files.delete(root.moduleDir(b).resolve("build"));
            Files.delete(root.dir.resolve("usr/src/linux-headers-" + b + "/Module.symvers"));
            refuses(root, b + ": no symvers for this kernel (looked for " + root.dir.resolve("boot/symvers-" + b + ".gz"),
                    "--add-kernel", b);
            // --add-modules skips it with a warning and goes on with the others
            Run r = cli(root, "--add-modules", root.vendor("extra/jdmhello.ko").toString());
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.err()).contains("warning: " + b + ": skipped, no symvers");
            assertThat(root.links(b)).isEmpty();
            assertThat(root.links(root.kabi)).containsOnlyKeys("jdmhello");
        }
    }

    @Test
    void shouldRefuseAKernelThatIsNotInstalled() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            refuses(root, "9.9.9-jdm: kernel is not installed (no " + root.moduleDir("9.9.9-jdm") + ")", "--add-kernel", "9.9.9-jdm");
            refuses(root, "9.9.9-jdm: kernel is not installed", "--remove-kernel", "9.9.9-jdm");
        }
    }

    @Test
    void shouldRefuseADanglingModuleLink() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            Path link = root.moduleDir(root.a).resolve("extra/vendor.ko");
            Files.createSymbolicLink(link, Path.of("gone.ko"));
            refuses(root, "vendor.ko: dangling link (it points to gone.ko, which does not exist)", "--add-modules", link.toString());
        }
    }

    @Test
    void shouldRefuseTwoActionsAtOnce() throws Exception {
        try (WeakRoot root = WeakRoot.copy()) {
            Run r = cli(root, "--add-kernel", "--remove-kernel", "x");
            assertThat(r.rc()).isEqualTo(2);
            assertThat(r.err().lines()).hasSize(1);
        }
    }
}
