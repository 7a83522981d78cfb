package dev.jdm.hw.pci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSpaceTest {
    @TempDir
    Path tmp;

    @Test
    void shouldHoldExactlyWhatTheFileGives() throws Exception {
        // what an unprivileged reader of sysfs's config gets: the first 64 bytes
        byte[] header = new byte[64];
        header[0] = (byte) 0xf4;
        header[1] = 0x1a;
        header[4] = 0x07;
        header[5] = 0x05;
        header[0x10] = 0x01;
        header[0x11] = (byte) 0xc0;
        Path file = Files.write(tmp.resolve("config"), header);
        ConfigSpace c = ConfigSpace.read(file);
        assertThat(c.length()).isEqualTo(64);
        assertThat(c.u16(0)).isEqualTo(0x1af4);
        assertThat(c.u16(ConfigSpace.COMMAND)).isEqualTo(0x0507);
        assertThat(c.u32(ConfigSpace.BAR0)).isEqualTo(0xc001L);
        assertThat(c.has(0x3c, 4)).isTrue();
        assertThat(c.has(0x40, 1)).isFalse();
        assertThatThrownBy(() -> c.u8(0x40)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("beyond the 64 readable");
    }

    @Test
    void shouldReadNoMoreThanExtendedConfigSpace() throws Exception {
        Path file = Files.write(tmp.resolve("config"), new byte[5000]);
        assertThat(ConfigSpace.read(file).length()).isEqualTo(ConfigSpace.MAX);
        assertThat(ConfigSpace.of(new byte[5000]).length()).isEqualTo(ConfigSpace.MAX);
    }

    @Test
    void shouldNeverWriteTheFileNorShareItsBytes() throws Exception {
        byte[] bytes = {1, 2, 3, 4, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        Path file = Files.write(tmp.resolve("config"), bytes);
        FileTime before = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(file, before);
        ConfigSpace c = ConfigSpace.read(file);
        c.bytes()[0] = 9;
        assertThat(c.u8(0)).isEqualTo(1);
        assertThat(c.u32(4)).isEqualTo(0xffffffffL);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(before);
    }
}
