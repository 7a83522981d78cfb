package dev.jdm.host.config;

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
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(HostException.Code.ENOENT));
    }
}
