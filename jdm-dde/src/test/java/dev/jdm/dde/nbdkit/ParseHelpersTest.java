package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shim's parsers against nbdkit's, through plugins that use them on a parameter: the same
 * value is accepted with the same result, or refused with the same words.
 * nbdkit_parse_size through memory's size, nbdkit_parse_bool through sparse-random's
 * random-content, nbdkit_parse_uint32_t through its seed, nbdkit_parse_int and
 * nbdkit_parse_unsigned through the test plugin's fail-errno and crash-write.
 */
class ParseHelpersTest {
    @ParameterizedTest
    @ValueSource(strings = {"1M", "2k", "5s", "1b", "1B", "1e", "7E", "010", " 5", "0", "foo", "", "-1", "1X", "1MB", "1 M",
            "0x10", "8E", "9E", "99999999999999999999", "-99999999999999999999", "4611686018427387904", "3G", "1t", "1p"})
    void shouldParseSizesAsNbdkit(String value) throws Exception {
        assertSameOutcome("memory", List.of("size=" + value), true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0", "true", "FALSE", "t", "y", "YES", "on", "Off", "n", "no", "f", "maybe", "", "2", " yes", "yes "})
    void shouldParseBooleansAsNbdkit(String value) throws Exception {
        assertSameOutcome("sparse-random", List.of("size=1M", "random-content=" + value), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "0x10", "010", " 7", "+5", "-1", "foo", "", "7x", "4294967295", "4294967296", "08", "0x"})
    void shouldParseUint32AsNbdkit(String value) throws Exception {
        assertSameOutcome("sparse-random", List.of("size=1M", "seed=" + value), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7", "-7", "0x10", "-0x10", "2147483647", "2147483648", "-2147483648", "-2147483649", "foo", "", "1.5"})
    void shouldParseIntAsNbdkit(String value) throws Exception {
        assertSameOutcome(Recorder.testPlugin("jdmtest"), List.of("size=1M", "fail-errno=" + value), false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "-3", " -3", "4294967295", "4294967296", "0x", "bar"})
    void shouldParseUnsignedAsNbdkit(String value) throws Exception {
        assertSameOutcome(Recorder.testPlugin("jdmtest"), List.of("size=1M", "crash-write=" + value), false);
    }

    private static void assertSameOutcome(String plugin, List<String> args, boolean withSize) throws Exception {
        assertThat(library(plugin, args, withSize)).isEqualTo(nbdkit(plugin, args, withSize));
    }

    private static String library(String plugin, List<String> args, boolean withSize) throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(plugin, args, new Recorder()); PluginConnection c = p.open(true)) {
            return withSize ? "size " + c.size() : "accepted";
        } catch (NbdkitException e) {
            return "error: " + e.pluginMessage();
        }
    }

    private static String nbdkit(String plugin, List<String> args, boolean withSize) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("nbdkit", "-U", "-", plugin));
        cmd.addAll(args);
        cmd.addAll(List.of("--run", "nbdinfo --size \"$uri\""));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() == 0) {
            return withSize ? "size " + out.strip() : "accepted";
        }
        Matcher m = BadInputTest.ERROR.matcher(out);
        assertThat(m.find()).as("an error from nbdkit: " + out).isTrue();
        return "error: " + m.group(1);
    }
}
