package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Main's lsmod fast path takes exactly {@code [--socket PATH] lsmod [--json]}; everything else is picocli's. */
class MainTest {
    @Test
    void shouldLeaveEveryOtherCommandLineToPicocli() {
        for (String[] args : new String[][] {{}, {"lsmod", "--help"}, {"lsmod", "-h"}, {"lsmod", "--json", "--json"}, {"lsmod", "x"},
                {"--socket"}, {"--socket", "/x"}, {"--socket", "/x", "modinfo"}, {"help", "lsmod"}, {"lsmod", "--jsn"}, {"--version", "lsmod"}}) {
            assertThat(Main.lsmod(args)).as(String.join(" ", args)).isNull();
        }
    }

    @Test
    void shouldAnswerAsPicocliDoesWhenNoHostListens() throws Exception {
        String socket = Files.createTempDirectory("jdm-main").resolve("gate.sock").toString();
        for (String[] args : new String[][] {{"--socket", socket, "lsmod"}, {"--socket=" + socket, "lsmod", "--json"}}) {
            PrintStream saved = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Integer code;
            try {
                code = Main.lsmod(args);
            } finally {
                System.setErr(saved);
            }
            JdmCommandTest.Run viaPicocli = JdmCommandTest.run(args);
            assertThat(code).isEqualTo(CliException.NO_HOST).isEqualTo(viaPicocli.code());
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("jdm lsmod: cannot reach a jdm host at " + socket)
                    .isEqualTo(viaPicocli.err());
        }
    }
}
