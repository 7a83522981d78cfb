package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import org.junit.jupiter.api.Test;

class JdmCommandTest {
    @Test
    void shouldRegisterEachSubcommandUnderItsOwnName() {
        JdmCommand.SUBCOMMANDS.forEach((name, make) -> {
            Command c = make.get().getClass().getAnnotation(Command.class);
            assertThat(c).as(name).isNotNull();
            assertThat(c.name()).as("the @Command name of %s", make.get().getClass()).isEqualTo(name);
        });
    }

    @Test
    void shouldBuildOnlyTheNamedSubcommandButAllForHelpAndTypos() {
        assertThat(JdmCommand.commandLine(new String[] {"--socket", "/x", "lsmod", "--json"}).getSubcommands()).containsOnlyKeys("lsmod");
        assertThat(JdmCommand.commandLine(new String[] {"--socket=/x", "kmod", "modinfo"}).getSubcommands()).containsOnlyKeys("kmod");
        assertThat(JdmCommand.commandLine(new String[] {"--help"}).getSubcommands()).containsOnlyKeys(JdmCommand.SUBCOMMANDS.keySet());
        assertThat(JdmCommand.commandLine(new String[] {"lsmdo"}).getSubcommands()).containsOnlyKeys(JdmCommand.SUBCOMMANDS.keySet());
        assertThat(JdmCommand.commandLine(new String[] {"generate-completion"}).getSubcommands()).containsOnlyKeys(JdmCommand.SUBCOMMANDS.keySet());
    }

    @Test
    void shouldListEverySubcommandInTheUsageAndSuggestForATypo() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JdmCommand.commandLine(new String[] {"--help"});
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("--help")).isZero();
        JdmCommand.SUBCOMMANDS.keySet().forEach(name -> assertThat(out.toString()).contains(name));
        CommandLine typo = JdmCommand.commandLine(new String[] {"lsmdo"});
        typo.setErr(new PrintWriter(err));
        assertThat(typo.execute("lsmdo")).isEqualTo(2);
        assertThat(err.toString()).contains("lsmod");
    }

    /** What one run of the command line printed and returned. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JdmCommand.commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every command in picocli's tree, the root first, each as the words that name it after {@code jdm}. */
    static List<List<String>> everyCommand() {
        List<List<String>> all = new ArrayList<>();
        walk(JdmCommand.commandLine(new String[] {"--help"}), List.of(), all);
        return all;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            walk(sub, next, all);
        });
    }

    /** The command that {@code path} names, in a tree with every subcommand. */
    static CommandLine command(List<String> path) {
        CommandLine cl = JdmCommand.commandLine(new String[] {"--help"});
        for (String word : path) {
            cl = cl.getSubcommands().get(word);
        }
        return cl;
    }

    static String[] args(List<String> path, String... more) {
        return Stream.concat(path.stream(), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void shouldWalkTheWholeTreeIncludingNestedCommands() {
        List<List<String>> all = everyCommand();
        JdmCommand.SUBCOMMANDS.keySet().forEach(name -> assertThat(all).contains(List.of(name)));
        assertThat(all).contains(List.of("blk", "ls"), List.of("kmod", "depmod"), List.of("abi", "check"));
    }

    @Test
    void shouldAnswerHelpOnEveryCommandWithItsDescriptionOptionsAndAnExample() {
        for (List<String> path : everyCommand()) {
            CommandSpec spec = JdmCommand.commandLine(args(path, "--help")).getCommandSpec();
            for (String flag : new String[] {"--help", "-h"}) {
                Run r = run(args(path, flag));
                String name = String.join(" ", args(path, flag));
                assertThat(r.code()).as("jdm %s exit code; stderr %s", name, r.err()).isZero();
                assertThat(r.out()).as("jdm %s", name)
                        .contains("Usage: " + String.join(" ", args(List.of("jdm"), path.toArray(String[]::new))))
                        .contains("-h, --help")
                        .containsPattern("\\nExample:\\n  jdm" + (path.isEmpty() ? "" : " " + String.join(" ", path)) + "( |\\n)");
            }
            Run help = run(args(path, "--help"));
            for (String line : summary(path)) {
                assertThat(help.out().replaceAll("\\s+", " ")).as("jdm %s --help shows its one-line description", path)
                        .contains(line.replaceAll("\\s+", " "));
            }
        }
    }

    /** The first line of a command's description, as its parent lists it. */
    private static List<String> summary(List<String> path) {
        CommandSpec spec = command(path).getCommandSpec();
        String[] lines = spec.usageMessage().header().length > 0 ? spec.usageMessage().header() : spec.usageMessage().description();
        assertThat(lines).as("jdm %s has a description", path).isNotEmpty();
        return List.of(lines[0].split("%n")[0].strip());
    }

    @Test
    void shouldShowTheSameHelpThroughTheHelpCommand() {
        for (String name : JdmCommand.SUBCOMMANDS.keySet()) {
            Run viaHelp = run("help", name);
            assertThat(viaHelp.code()).as("jdm help %s", name).isZero();
            assertThat(viaHelp.out()).as("jdm help %s", name).isEqualTo(run(name, "--help").out());
        }
    }

    @Test
    void shouldPrintTheUsageAndExitTwoForAParentWithoutSubcommand() {
        for (List<String> path : everyCommand()) {
            if (command(path).getSubcommands().isEmpty()) {
                continue;
            }
            Run r = run(args(path));
            assertThat(r.code()).as("jdm %s", path).isEqualTo(2);
            assertThat(r.err()).as("jdm %s", path).contains("Usage: jdm" + (path.isEmpty() ? "" : " " + String.join(" ", path)) + " ");
            assertThat(r.out()).as("jdm %s prints nothing on stdout", path).isEmpty();
        }
    }

    @Test
    void shouldPrintTheUsageAndExitTwoOnAnUnknownOption() {
        for (List<String> path : everyCommand()) {
            if (command(path).getCommandSpec().helpCommand()) {
                continue; // picocli's help and generate-completion are help commands: they validate nothing, by design
            }
            Run r = run(args(path, "--no-such-option"));
            assertThat(r.code()).as("jdm %s --no-such-option", path).isEqualTo(2);
            assertThat(r.err()).as("jdm %s --no-such-option: the error, then the usage", path)
                    .doesNotStartWith("Usage").contains("\nUsage: jdm");
        }
    }

    @Test
    void shouldNameTheCommandOnceInAnError() {
        CommandSpec modinfo = JdmCommand.commandLine(new String[] {"modinfo"}).getSubcommands().get("modinfo").getCommandSpec();
        assertThat(JdmCommand.errorLine(modinfo, "modinfo: module nosuch not found [ENOENT]")).isEqualTo("jdm modinfo: module nosuch not found [ENOENT]");
        assertThat(JdmCommand.errorLine(modinfo, "nosuch.jar: no such file")).isEqualTo("jdm modinfo: nosuch.jar: no such file");
        CommandSpec reload = JdmCommand.commandLine(new String[] {"sec"}).getSubcommands().get("sec").getSubcommands().get("reload").getCommandSpec();
        assertThat(JdmCommand.errorLine(reload, "sec reload: no module devacl")).isEqualTo("jdm sec reload: no module devacl");
        assertThat(JdmCommand.errorLine("blk stat", "stat", "blk: no LU named x (see jdm blk ls) [ENOENT]"))
                .isEqualTo("jdm blk stat: no LU named x (see jdm blk ls) [ENOENT]");
        assertThat(JdmCommand.errorLine("blk stat", "stat", "export: no export x")).isEqualTo("jdm blk stat: export: no export x");
    }
}
