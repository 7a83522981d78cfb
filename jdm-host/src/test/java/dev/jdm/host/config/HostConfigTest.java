package dev.jdm.host.config;

import dev.jdm.errno.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.host.HostException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigTest {
    @TempDir
    Path dir;

    private Path write(String toml) throws Exception {
        Path f = dir.resolve("host.toml");
        Files.writeString(f, toml);
        return f;
    }

    @Test
    void shouldReadPathsSysctlsAndModulesWithParams() throws Exception {
        HostConfig c = HostConfig.load(write("""
                [paths]
                socket = "/tmp/x.sock"
                state_dir = "/tmp/state"

                [sysctl]
                "kmem.debug" = "1"

                [[modules]]
                name = "hello"
                params = { greeting = "hi", count = "3" }
                """));
        assertThat(c.paths().socket()).isEqualTo("/tmp/x.sock");
        assertThat(c.paths().stateDir()).isEqualTo("/tmp/state");
        assertThat(c.sysctl()).containsEntry("kmem.debug", "1");
        assertThat(c.modules()).singleElement().satisfies(m -> {
            assertThat(m.name()).isEqualTo("hello");
            assertThat(m.params()).containsEntry("greeting", "hi").containsEntry("count", "3");
        });
    }

    @Test
    void shouldUseTheDefaultModulesWhenNoneAreListed() throws Exception {
        assertThat(HostConfig.load(write("[paths]\n")).modules()).isEqualTo(HostConfig.DEFAULT_MODULES);
        assertThat(HostConfig.defaults().modules()).isNotEmpty();
    }

    @Test
    void shouldNameTheLineOfASyntaxErrorAndTheKeyOfASchemaError() throws Exception {
        assertThatThrownBy(() -> HostConfig.load(write("[paths]\nsocket = \"a\"\nstate_dir = = 3\n")))
                .isInstanceOf(HostException.class).hasMessageContaining("host.toml:3");
        assertThatThrownBy(() -> HostConfig.load(write("[paths]\nsokcet = \"a\"\n")))
                .isInstanceOf(HostException.class).hasMessageContaining("sokcet");
        assertThatThrownBy(() -> HostConfig.load(dir.resolve("missing.toml")))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void shouldReadTheNbdTlsSectionAndItsClientIdentities() throws Exception {
        HostConfig c = HostConfig.load(write("""
                [nbd]
                tcp = "0.0.0.0:10809"
                cleartext_beyond_loopback = true
                [nbd.tls]
                mode = "require"
                certificates = "/etc/pki/jdm"
                verify_peer = true
                [[nbd.tls.client]]
                subject = "CN=backup01"
                uid = 34
                groups = [6, 26]
                """));
        assertThat(c.nbd().cleartextBeyondLoopback()).isTrue();
        assertThat(c.nbd().tls()).isEqualTo(new HostConfig.Tls("require", "/etc/pki/jdm", true,
                java.util.List.of(new HostConfig.TlsClient("CN=backup01", 34, -1, java.util.List.of(6, 26)))));
        assertThat(HostConfig.load(write("[nbd]\n")).nbd().tls().mode()).as("off unless said").isNull();
    }

    @Test
    void shouldRefuseAMisspeltTlsKeyAndAClientWithoutUid() throws Exception {
        assertThatThrownBy(() -> HostConfig.load(write("[nbd.tls]\nverify_peers = true\n")))
                .isInstanceOf(HostException.class).hasMessageContaining("verify_peers");
        assertThatThrownBy(() -> HostConfig.load(write("[[nbd.tls.client]]\nsubject = \"CN=x\"\n")))
                .isInstanceOf(HostException.class).hasMessageContaining("needs a subject");
    }

    @Test
    void shouldReadGrantRulesAndDefaultToTheSystemLibrariesForTheNbdkitEnvironment() throws Exception {
        HostConfig c = HostConfig.load(write("[[grant]]\nmodule = \"filedisk\"\npath = \"/srv/disks\"\naccess = \"rw\"\n"
                + "[[grant]]\ndomain = \"isolated:kit\"\npath = \"/opt/plugins\"\n"));
        assertThat(c.grants()).extracting(HostConfig.GrantSpec::rule).extracting(r -> r.toString())
                .containsExactly("module filedisk: /srv/disks (rw)", "domain isolated:kit: /opt/plugins (ro)");
        assertThat(HostConfig.load(write("modules = []\n")).grants()).extracting(HostConfig.GrantSpec::rule).extracting(r -> r.toString())
                .containsExactly("module dde-nbdkit: /usr/lib/x86_64-linux-gnu (ro)");
        assertThat(HostConfig.load(write("grant = []\n")).grants()).as("an empty policy is a policy").isEmpty();
    }

    @Test
    void shouldNameTheLineOfABadGrantRule() throws Exception {
        assertThatThrownBy(() -> HostConfig.load(write("[[grant]]\nmodule = \"a\"\ndomain = \"isolated:b\"\npath = \"/x\"\n")))
                .isInstanceOfSatisfying(HostException.class, e -> {
                    assertThat(e.code()).isEqualTo(Errno.EINVAL);
                    assertThat(e.getMessage()).contains("exactly one of module or domain");
                });
        assertThatThrownBy(() -> HostConfig.load(write("[[grant]]\nmodule = \"a\"\npath = \"/x\"\naccess = \"all\"\n")))
                .hasMessageContaining("access \"all\" is not ro or rw");
        assertThatThrownBy(() -> HostConfig.load(write("[[grant]]\nmodule = \"a\"\npath = \"/x\"\nmode = \"ro\"\n")))
                .hasMessageContaining("mode");
    }
}
