package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input gives one exception with one clear message and leaves nothing loaded: the
 * same plugin loads cleanly straight afterwards. Where the plugin itself refuses, its text is the
 * one nbdkit prints for the same command line.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseAFileThatIsNotASharedObject() throws Exception {
        Path fake = Files.writeString(tmp.resolve("nbdkit-fake-plugin.so"), "not an ELF file\n".repeat(64));
        assertThatThrownBy(() -> NbdkitPlugin.load(fake, new Recorder()))
                .isInstanceOf(NbdkitException.class)
                .hasMessage("cannot load nbdkit plugin " + fake.toRealPath() + ": " + fake.toRealPath() + ": invalid ELF header");
    }

    @Test
    void shouldRefuseASharedObjectWithoutPluginInit() throws Exception {
        Path noInit = Path.of(Recorder.testPlugin("jdmnoinit")).toRealPath();
        assertThatThrownBy(() -> NbdkitPlugin.load(noInit, new Recorder()))
                .isInstanceOf(NbdkitException.class)
                .hasMessage(noInit + " is not an nbdkit plugin: it has no plugin_init function");
        Path libz = Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1").toRealPath();
        assertThatThrownBy(() -> NbdkitPlugin.load(libz, new Recorder()))
                .hasMessage(libz + " is not an nbdkit plugin: it has no plugin_init function");
    }

    @Test
    void shouldRefuseAFutureApiVersion() throws Exception {
        Path future = Path.of(Recorder.testPlugin("jdmfuture")).toRealPath();
        assertThatThrownBy(() -> NbdkitPlugin.load(future, new Recorder()))
                .isInstanceOf(NbdkitException.class)
                .hasMessage(future + ": _api_version 3 is newer than this environment, which runs API 1 and API 2 plugins");
        // Nothing stays loaded: the shim still loads a good plugin, and the bad one is refused the same way again.
        assertThatThrownBy(() -> NbdkitPlugin.load(future, new Recorder())).hasMessageContaining("_api_version 3");
    }

    @Test
    void shouldRefuseMissingFilesAndUnknownNames() {
        assertThatThrownBy(() -> NbdkitPlugin.load("/nonexistent/nbdkit-x-plugin.so", new Recorder()))
                .isInstanceOf(NbdkitException.class)
                .hasMessage("cannot load nbdkit plugin /nonexistent/nbdkit-x-plugin.so: no such file");
        assertThatThrownBy(() -> NbdkitPlugin.load("nosuch", new Recorder()))
                .hasMessage("no nbdkit plugin named 'nosuch' (looked for " + PluginFiles.PLUGIN_DIR + "/nbdkit-nosuch-plugin.so)");
        assertThatThrownBy(() -> NbdkitPlugin.load("../x", new Recorder()))
                .hasMessage("cannot load nbdkit plugin ../x: no such file");
        assertThatThrownBy(() -> NbdkitPlugin.load("a b", new Recorder()))
                .hasMessage("'a b' is neither an nbdkit plugin name (letters, digits, '-' and '_') nor a path to a .so");
    }

    @Test
    void shouldRefuseUnknownParametersInThePluginsWords() throws Exception {
        assertRefusedAsByNbdkit("memory", List.of("foo=bar"), "memory: foo=bar: ");
        assertRefusedAsByNbdkit("pattern", List.of("size=1M", "x=1"), "pattern: x=1: ");
    }

    @Test
    void shouldRefuseMalformedParametersInThePluginsWords() throws Exception {
        assertRefusedAsByNbdkit("memory", List.of("size=foo"), "memory: size=foo: ");
        assertRefusedAsByNbdkit("memory", List.of("1MB"), "memory: size=1MB: ");
        assertRefusedAsByNbdkit("sparse-random", List.of("size=1M", "seed=7x"), "sparse-random: seed=7x: ");
        assertRefusedAsByNbdkit("file", List.of("file=" + tmp.resolve("missing")), "file: file=" + tmp.resolve("missing") + ": ");
    }

    @Test
    void shouldRefuseAMissingRequiredParameterInThePluginsWords() throws Exception {
        assertRefusedAsByNbdkit("memory", List.of(), "memory: ");
        assertRefusedAsByNbdkit("data", List.of("size=1M"), "data: ");
        assertRefusedAsByNbdkit("full", List.of(), "full: ");
    }

    @Test
    void shouldRefuseABareValueWithoutAMagicKey() throws Exception {
        String v1 = Recorder.testPlugin("jdmv1");
        assertThatThrownBy(() -> NbdkitPlugin.start(v1, List.of("1M"), new Recorder()))
                .hasMessage("jdmv1: '1M' is not key=value, and this plugin has no magic parameter");
        try (NbdkitPlugin p = NbdkitPlugin.start(v1, List.of("size=1M"), new Recorder())) {
            assertThat(p.name()).isEqualTo("jdmv1");
        }
        // A key must look like one; anything else is the magic parameter's value (here: size).
        try (NbdkitPlugin p = NbdkitPlugin.start("null", List.of("1M"), new Recorder()); PluginConnection c = p.open(true)) {
            assertThat(c.size()).isEqualTo(1 << 20);
        }
    }

    @Test
    void shouldRefuseParametersForAPluginThatTakesNone() {
        assertThatThrownBy(() -> NbdkitPlugin.start("zero", List.of("size=1M"), new Recorder()))
                .hasMessage("zero: this plugin takes no parameters (got size=1M)");
    }

    @Test
    void shouldReadPasswordsFromFilesButNeverPrompt() throws Exception {
        Path disk = Files.write(tmp.resolve("disk.img"), new byte[4096]);
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        String url = "url=file://" + disk;
        try (NbdkitPlugin p = NbdkitPlugin.start("curl", List.of(url, "user=u", "password=+" + secret), new Recorder());
                PluginConnection c = p.open(true)) {
            assertThat(c.size()).isEqualTo(4096);
        }
        assertThatThrownBy(() -> NbdkitPlugin.start("curl", List.of(url, "password=-"), new Recorder()))
                .hasMessage("curl: password=-: password=-: cannot prompt for a password, plugins have no terminal here; use password=+FILE");
        assertThatThrownBy(() -> NbdkitPlugin.start("curl", List.of(url, "password=+" + tmp.resolve("none")), new Recorder()))
                .hasMessage("curl: password=+" + tmp.resolve("none") + ": open: " + tmp.resolve("none") + ": No such file or directory");
        assertThatThrownBy(() -> NbdkitPlugin.start("curl", List.of(url, "password=-1"), new Recorder()))
                .hasMessage("curl: password=-1: password=-1: expected -FD with a file descriptor of 3 or more");
    }

    @Test
    void shouldRefuseLoadingOnePluginTwice() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.load("null", new Recorder())) {
            assertThatThrownBy(() -> NbdkitPlugin.load("null", new Recorder()))
                    .hasMessage("nbdkit plugin " + p.file() + " is already loaded in this process; unload it first (a plugin's state is global)");
        }
        NbdkitPlugin.load("null", new Recorder()).unload();
    }

    @Test
    void shouldRefuseStepsOutOfOrder() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.load("null", new Recorder())) {
            assertThatThrownBy(() -> p.open(false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("null: open needs the plugin ready, but it is loaded and not yet configured");
            p.configComplete();
            assertThatThrownBy(() -> p.config("size", "1M"))
                    .hasMessage("null: config needs the plugin loaded and not yet configured, but it is configured but not ready");
        }
    }

    @Test
    void shouldRefuseUnloadWithOpenConnections() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start("null", List.of("size=1M"), new Recorder())) {
            PluginConnection c = p.open(true);
            assertThatThrownBy(p::unload).hasMessage("null: 1 connection(s) still open; close them before unloading");
            c.close();
        }
    }

    /**
     * start() fails with prefix + the plugin's own message, that message is what nbdkit prints for
     * the same arguments, and a good start of the same plugin works right after.
     */
    private static void assertRefusedAsByNbdkit(String plugin, List<String> args, String prefix) throws Exception {
        String nbdkitSays = nbdkitError(plugin, args);
        assertThatThrownBy(() -> NbdkitPlugin.start(plugin, args, new Recorder()))
                .isInstanceOf(NbdkitException.class)
                .hasMessage(prefix + nbdkitSays);
        NbdkitPlugin.load(plugin, new Recorder()).unload();
    }

    static final Pattern ERROR = Pattern.compile("(?m)^nbdkit: error: (.*)$");

    /** What {@code nbdkit PLUGIN ARGS} prints as its error. */
    static String nbdkitError(String plugin, List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("nbdkit", "-U", "-", plugin));
        cmd.addAll(args);
        cmd.addAll(List.of("--run", "true"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("nbdkit exit status for " + cmd).isNotZero();
        Matcher m = ERROR.matcher(out);
        assertThat(m.find()).as("an error from nbdkit: " + out).isTrue();
        return m.group(1);
    }
}
