package dev.jdm.kmod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** depmod's picocli-free path: the same command for every line it takes, picocli for the rest. */
class DirectDepmodTest {
    @TempDir
    Path tmp;

    /** The command picocli builds from {@code depmod ARGS}. */
    private static DepmodCommand picocli(String... args) {
        CommandLine cl = new CommandLine(new KmodCommand());
        List<String> all = new ArrayList<>(List.of("depmod"));
        all.addAll(List.of(args));
        CommandLine.ParseResult pr = cl.parseArgs(all.toArray(String[]::new));
        return (DepmodCommand) pr.subcommand().commandSpec().userObject();
    }

    private static List<Object> fields(DepmodCommand c) {
        return Arrays.asList(c.kernelRelease, c.baseDir, c.outDir, c.config, c.symvers, c.systemMap, c.dryRun, c.all, c.json);
    }

    @Test
    void shouldParsePlainLinesExactlyAsPicocliDoes() {
        String[][] lines = {
            {},
            {"6.1.0-57-amd64"},
            {"-b", "/tmp/root", "6.1.0-57-amd64"},
            {"--basedir", "/tmp/root", "-o", "/tmp/out", "6.12.0-1-amd64"},
            {"--basedir=/tmp/root", "--outdir=/tmp/out", "6.1"},
            {"6.1", "-b", "/r", "-C", "/etc/depmod.d", "--config", "/x.conf", "-C", "/y.conf"},
            {"-E", "/s/Module.symvers", "-a", "-n", "6.1"},
            {"-F", "/boot/System.map", "--all", "--show", "--json", "6.1"},
            {"--dry-run", "--symvers=/s", "6.1"},
            {"--filesyms", "/m", "6.1"},
        };
        for (String[] line : lines) {
            DepmodCommand direct = DirectDepmod.parse(line);
            assertThat(direct).as(String.join(" ", line)).isNotNull();
            assertThat(fields(direct)).as(String.join(" ", line)).isEqualTo(fields(picocli(line)));
        }
    }

    @Test
    void shouldLeaveEveryOtherLineToPicocli() {
        String[][] lines = {
            {"--help"}, {"-h"}, {"-V"}, {"--version"},
            {"-na", "6.1"},                 // clustered flags
            {"-b/tmp/root", "6.1"},         // attached short value
            {"-b=/tmp/root", "6.1"},
            {"-b"},                         // missing value
            {"-b", "-n", "6.1"},            // value that looks like an option
            {"-b", "/a", "-b", "/b"},       // repeated single-valued option
            {"-n", "-n"},
            {"--json=true"},
            {"6.1", "6.2"},                 // two releases
            {"--", "6.1"},
            {"@args.txt"},
            {"--basedir", "@x"},
            {"-x", "6.1"}, {"--bogus"},
            {"-E", "a\0b"},                // not a path
        };
        for (String[] line : lines) {
            assertThat(DirectDepmod.parse(line)).as(String.join(" ", line)).isNull();
        }
    }

    /** A new option on DepmodCommand must be taught to DirectDepmod (or its lines go to picocli). */
    @Test
    void shouldKnowEveryOptionOfTheCommand() {
        CommandLine cl = new CommandLine(new KmodCommand()).getSubcommands().get("depmod");
        Set<String> helpOnly = Set.of("-h", "--help", "-V", "--version");
        for (OptionSpec o : cl.getCommandSpec().options()) {
            for (String name : o.names()) {
                if (helpOnly.contains(name)) {
                    assertThat(DirectDepmod.parse(new String[] {name})).as(name).isNull();
                } else if (o.arity().max() == 0) {
                    assertThat(DirectDepmod.parse(new String[] {name})).as(name).isNotNull();
                } else {
                    assertThat(DirectDepmod.parse(new String[] {name, "/v"})).as(name).isNotNull();
                }
            }
        }
    }

    @Test
    void shouldReportAFailureInTheSameWordsAsThroughPicocli() {
        String[] args = {"depmod", "-b", tmp.resolve("none").toString(), "6.1"};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer rc = KmodMain.runDirect("kmod", args, new PrintWriter(out), new PrintWriter(err));
        StringWriter err2 = new StringWriter();
        int rc2 = KmodMain.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err2)).execute(args);
        assertThat(rc).isEqualTo(rc2).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(err2.toString())
                .isEqualTo("kmod depmod: " + tmp.resolve("none/lib/modules/6.1") + ": module directory does not exist\n");
        assertThat(KmodMain.runDirect("kmod", new String[] {"depmod", "--help"}, new PrintWriter(out), new PrintWriter(err)))
                .isNull();
        assertThat(KmodMain.runDirect("kmod", new String[] {"modinfo", "x.ko"}, new PrintWriter(out), new PrintWriter(err)))
                .isNull();
    }
}
