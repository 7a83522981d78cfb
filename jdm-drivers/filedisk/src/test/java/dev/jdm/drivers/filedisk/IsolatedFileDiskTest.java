package dev.jdm.drivers.filedisk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.block.BlockDriverContract;
import dev.jdm.host.log.LogRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The same filedisk classes in an isolated domain: the domain cannot open the backing file by path
 * (Landlock grants it nothing there), so the host opens it through the module's grants and passes
 * the descriptor; the block driver contract holds, and the data lands in the file.
 */
class IsolatedFileDiskTest extends BlockDriverContract {
    Path backing;

    @Override
    protected String moduleName() {
        return "filedisk";
    }

    @Override
    protected Map<String, String> freshDeviceParams(Path tmp) throws IOException {
        backing = tmp.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        return Map.of("backing", backing.toString(), "name", "filed0", "domain", "isolated:files");
    }

    @Override
    protected String luName() {
        return "filed0";
    }

    @Test
    void shouldWriteThroughTheGrantedDescriptorIntoTheBackingFile() throws Exception {
        assertThat(host.modules().get("filedisk").orElseThrow().domain()).isEqualTo("isolated:files");
        assertThat(host.log().since(0).stream().map(LogRecord::message)).anyMatch(m -> m.contains("filedisk: backing = " + backing));
        MemorySegment data = pattern(65536, 21);
        assertThat(lu.write(0x200000, data, 0)).isZero();
        assertThat(lu.flush()).isZero();
        byte[] onDisk = new byte[65536];
        try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "r")) {
            f.seek(0x200000);
            f.readFully(onDisk);
        }
        assertThat(MemorySegment.ofArray(onDisk).mismatch(data)).isEqualTo(-1);
    }
}
