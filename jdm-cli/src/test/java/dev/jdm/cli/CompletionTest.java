package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import org.junit.jupiter.api.Test;

/**
 * {@code jdm generate-completion} as bash runs it: the script is sourced in a real bash, and its
 * completion function answers command lines for every command in picocli's tree (its compgen calls
 * make the candidates), so a command or option the script lost, or a script bash cannot read, fails.
 */
class CompletionTest {
    @Test
    void shouldCompleteEverySubcommandAndOptionInBash() throws Exception {
        JdmCommandTest.Run script = JdmCommandTest.run("generate-completion");
        assertThat(script.code()).isZero();
        Path file = Files.createTempFile("jdm-completion", ".bash");
        Files.writeString(file, script.out());

        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (List<String> path : JdmCommandTest.everyCommand()) {
            CommandLine cl = JdmCommandTest.command(path);
            String words = String.join(" ", JdmCommandTest.args(List.of("jdm"), path.toArray(String[]::new)));
            if (!cl.getSubcommands().isEmpty()) {
                expected.put(words + " ", List.copyOf(cl.getSubcommands().keySet()));
                String first = cl.getSubcommands().keySet().iterator().next();
                expected.put(words + " " + first.substring(0, 2), cl.getSubcommands().keySet().stream().filter(n -> n.startsWith(first.substring(0, 2))).toList());
            }
            List<String> options = new ArrayList<>();
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (!o.hidden()) {
                    options.add(o.longestName());
                }
            }
            expected.put(words + " -", options);
        }

        Map<String, List<String>> got = complete(file, expected.keySet());
        expected.forEach((line, candidates) -> {
            assertThat(got).as("bash answered %s", line).containsKey(line);
            if (line.endsWith(" ")) {
                assertThat(got.get(line)).as("'%s<TAB>'", line).containsExactlyInAnyOrderElementsOf(candidates);
            } else {
                assertThat(got.get(line)).as("'%s<TAB>'", line).containsAll(candidates);
            }
        });
    }

    /** Runs complete.bash over {@code lines}: each line's candidates, as bash's completion gives them. */
    private static Map<String, List<String>> complete(Path script, Iterable<String> lines) throws IOException, InterruptedException {
        Path driver = Files.createTempFile("jdm-complete", ".bash");
        try (InputStream in = CompletionTest.class.getResourceAsStream("complete.bash")) {
            Files.write(driver, in.readAllBytes());
        }
        Process bash = new ProcessBuilder("bash", driver.toString(), script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        bash.getOutputStream().write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("bash %s%n%s", driver, out).isZero();
        Map<String, List<String>> got = new LinkedHashMap<>();
        List<String> current = null;
        for (String l : out.split("\n", -1)) {
            if (l.startsWith("### ")) {
                current = new ArrayList<>();
                got.put(l.substring(4), current);
            } else if (current != null && !l.isEmpty()) {
                current.add(l);
            }
        }
        return got;
    }
}
