package dev.jdm.kmod;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfo;
import dev.jdm.kmod.symbols.Symvers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadInputTest {
    @TempDir
    Path tmp;

    @Test
    void shouldNameAMissingFile() {
        Path p = tmp.resolve("nope.ko");
        assertThatThrownBy(() -> ModInfo.read(p)).isInstanceOf(KmodException.class).hasMessage(p + ": no such file");
    }

    @Test
    void shouldRejectAFileThatIsNotElf() throws IOException {
        Path p = Files.writeString(tmp.resolve("text.ko"), "hello, I am not a kernel module\n");
        assertThatThrownBy(() -> ModInfo.read(p)).isInstanceOf(KmodException.class)
                .hasMessage(p + ": not an ELF file (bad magic)");
    }

    @Test
    void shouldRejectCorruptXzZstdAndGzipData() throws IOException {
        byte[][] heads = {{(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4, 5, 6}, {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 9, 9, 9, 9},
                {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7}};
        String[] names = {"xz", "zstd", "gzip"};
        for (int i = 0; i < heads.length; i++) {
            Path p = Files.write(tmp.resolve("bad" + i + ".ko"), heads[i]);
            assertThatThrownBy(() -> ModuleFile.open(p)).isInstanceOf(KmodException.class)
                    .hasMessageStartingWith(p + ": corrupt " + names[i] + " data");
        }
    }

    @Test
    void shouldRejectAGzipBombBeyondTheCap() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < (ModuleFile.MAX_UNCOMPRESSED >> 20) + 1; i++) {
                gz.write(zeros);
            }
        }
        Path p = Files.write(tmp.resolve("bomb.ko.gz"), raw.toByteArray());
        assertThatThrownBy(() -> ModuleFile.open(p)).isInstanceOf(KmodException.class).hasMessageContaining("refusing");
    }

    @Test
    void shouldRejectAGarbageSymversLineWithItsNumber() throws IOException {
        Path p = Files.writeString(tmp.resolve("Module.symvers"),
                "0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\nthis is not symvers\n");
        assertThatThrownBy(() -> Symvers.read(p)).isInstanceOf(KmodException.class)
                .hasMessageStartingWith(p + ": line 2: not a Module.symvers line");
        Path q = Files.writeString(tmp.resolve("bad-crc.symvers"), "0xZZZZ\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n");
        assertThatThrownBy(() -> Symvers.read(q)).hasMessage(q + ": line 1: bad CRC \"0xZZZZ\"");
    }
}
