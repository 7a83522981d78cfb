package dev.jdm.drivers.logdisk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A logdisk log read back: its entries in log order, with each WRITE's data. */
record WriteLog(List<Entry> entries) {
    /** One entry ({@link LogFormat}). */
    record Entry(int kind, boolean fua, long seq, long offset, long length, long nanos, byte[] data) {}

    static WriteLog read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Entry> out = new ArrayList<>();
        while (b.remaining() >= LogFormat.HEADER) {
            int p = b.position();
            if (b.getInt(p + LogFormat.MAGIC_AT) != LogFormat.MAGIC) {
                throw new IOException("entry " + out.size() + " at byte " + p + ": bad magic");
            }
            int kind = b.getShort(p + LogFormat.KIND_AT);
            long length = b.getLong(p + LogFormat.LENGTH_AT);
            byte[] data = null;
            b.position(p + LogFormat.HEADER);
            if (LogFormat.hasData(kind)) {
                data = new byte[(int) length];
                b.get(data);
            }
            out.add(new Entry(kind, (b.getShort(p + LogFormat.FLAGS_AT) & LogFormat.FLAG_FUA) != 0, b.getLong(p + LogFormat.SEQ_AT),
                    b.getLong(p + LogFormat.OFFSET_AT), length, b.getLong(p + LogFormat.NANOS_AT), data));
        }
        return new WriteLog(List.copyOf(out));
    }
}
