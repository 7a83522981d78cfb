package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
}
