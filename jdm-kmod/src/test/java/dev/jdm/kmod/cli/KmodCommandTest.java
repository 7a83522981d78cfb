package dev.jdm.kmod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.kmod.testing.KernelFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as the jdm root mounts it: output on the CommandLine's writers, exit codes, one-line errors. */
class KmodCommandTest {
    @TempDir
    Path tmp;

    record Run(int rc, String out, String err) {
    }

    /** Mounted like jdm does: new CommandLine(root).addSubcommand("kmod", new KmodCommand()). */
    static Run jdm(String... args) {
        @CommandLine.Command(name = "jdm")
        class Root implements Runnable {
            @Override
            public void run() {
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Root()).addSubcommand("kmod", new KmodCommand());
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 1];
        full[0] = "kmod";
        System.arraycopy(args, 0, full, 1, args.length);
        int rc = cmd.execute(full);
        return new Run(rc, out.toString(), err.toString());
    }

    static Run standalone(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = KmodMain.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void shouldPrintModinfoThroughTheMountedCommand() {
        Path ko = KernelFixtures.require().resolve("oot/jdmhello.ko");
        Run r = jdm("modinfo", "-F", "license", ko.toString());
        assertThat(r.rc()).isZero();
        assertThat(r.out()).isEqualTo("GPL\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void shouldPrintOneLineAndExitOneForAMissingFile() {
        Run r = jdm("modversions", tmp.resolve("missing.ko").toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err().lines()).singleElement().asString().contains("missing.ko: no such file");
        assertThat(r.err()).doesNotContain("at dev.jdm");
    }

    @Test
    void shouldExitTwoOnAUsageError() {
        Run r = standalone("modinfo");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void shouldGiveJsonForEveryCommand() throws Exception {
        Path fix = KernelFixtures.require();
        String ko = fix.resolve("oot/jdmhello.ko").toString();
        Path symvers = fix.resolve("root/usr/src/linux-headers-" + KernelFixtures.kernelRelease() + "/Module.symvers");
        for (String[] args : new String[][] {{"modinfo", "--json", ko}, {"modversions", "--json", ko}, {"exports", "--json", ko},
                {"check", "--json", ko, "--against", symvers.toString()},
                {"diff", "--json", symvers.toString(), symvers.toString(), "--modules", fix.resolve("oot").toString(), "--weak-updates"}}) {
            Run r = jdm(args);
            assertThat(r.rc()).as(String.join(" ", args) + "\n" + r.err()).isZero();
            assertThat(r.out().strip()).as(args[0]).matches("(?s)^[\\[{].*[\\]}]$");
        }
        Path out = Files.createDirectories(tmp.resolve("out"));
        Run d = jdm("depmod", "--json", "-b", fix.resolve("root").toString(), "-o", out.toString(), KernelFixtures.kernelRelease() + "-z");
        assertThat(d.rc()).isZero();
        assertThat(d.out()).contains("\"name\" : \"jdmhello\"");
        assertThat(out.resolve("lib/modules/" + KernelFixtures.kernelRelease() + "-z/modules.dep")).isRegularFile();
    }

    @Test
    void shouldExitOneWhenAModuleWillNotLoad() throws Exception {
        Path ko = KernelFixtures.require().resolve("oot/jdmhello.ko");
        Path symvers = Files.writeString(tmp.resolve("Module.symvers"), "0x00000001\tmodule_layout\tvmlinux\tEXPORT_SYMBOL\t\n");
        Run r = jdm("check", ko.toString(), "--against", symvers.toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).contains("will NOT load").contains("unknown symbol _printk").contains("disagrees about version of symbol module_layout");
    }
}
