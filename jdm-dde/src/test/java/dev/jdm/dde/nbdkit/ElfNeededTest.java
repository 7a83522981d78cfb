package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The libraries a plugin image needs, read from its ELF dynamic section; anything else is refused by name. */
class ElfNeededTest {
    private static final Path MEMORY = Path.of("/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-memory-plugin.so");

    @Test
    void shouldListWhatDebiansMemoryPluginLinks() throws Exception {
        assertThat(ElfNeeded.of("memory", MemorySegment.ofArray(Files.readAllBytes(MEMORY)))).contains("libc.so.6", "libzstd.so.1");
    }

    @Test
    void shouldRefuseWhatIsNotAnElfObjectOrPointsOutsideItself() throws Exception {
        assertThatThrownBy(() -> ElfNeeded.of("text", MemorySegment.ofArray("not a shared object at all, just text".repeat(4).getBytes())))
                .isInstanceOf(NbdkitException.class).hasMessage("text is not a 64-bit little-endian ELF object");
        byte[] cut = Arrays.copyOf(Files.readAllBytes(MEMORY), 128); // the headers it names are gone
        assertThatThrownBy(() -> ElfNeeded.of("cut", MemorySegment.ofArray(cut)))
                .isInstanceOf(NbdkitException.class).hasMessageStartingWith("cut: a header points outside the file");
    }
}
