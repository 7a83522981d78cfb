package dev.jdm.drivers.chrmem;

import dev.jdm.abi.Log;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.HostLog;
import dev.jdm.abi.chr.LogLine;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * /dev/kmsg over the host's log ring: each read returns one record as Linux formats it
 * ({@code PRIO,SEQ,USEC,-;SOURCE: MESSAGE\n}), from the oldest still in the ring; EAGAIN when
 * the reader has seen everything (a blocking open then waits, as {@code dmesg -w}). A buffer too
 * small for the next record gets EINVAL, as on Linux. Writes are logged as one record each.
 */
final class Kmsg implements CharFile {
    private final HostLog log;
    private final Log out;
    private long next = 1;

    Kmsg(HostLog log, Log out) {
        this.log = log;
        this.out = out;
    }

    @Override
    public int read(MemorySegment dst) {
        List<LogLine> one = log.since(next, 1);
        if (one.isEmpty()) {
            return -CharStatus.EAGAIN;
        }
        LogLine l = one.getFirst();
        byte[] b = (l.level().ordinal() + "," + l.seq() + "," + l.micros() + ",-;" + l.source() + ": " + l.message() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        if (b.length > dst.byteSize()) {
            return -CharStatus.EINVAL;
        }
        MemorySegment.copy(b, 0, dst, ValueLayout.JAVA_BYTE, 0, b.length);
        next = l.seq() + 1;
        return b.length;
    }

    @Override
    public int write(MemorySegment src) {
        String text = new String(src.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).strip();
        if (!text.isEmpty()) {
            out.info(text);
        }
        return (int) src.byteSize();
    }

    @Override
    public int poll() {
        return (log.since(next, 1).isEmpty() ? 0 : POLLIN) | POLLOUT;
    }

    /** SEEK_SET 0: the oldest record; SEEK_END 0: only records logged from now on (Linux's SEEK_DATA is not carried). */
    @Override
    public long seek(long offset, int whence) {
        if (offset != 0) {
            return -CharStatus.EINVAL;
        }
        switch (whence) {
            case SEEK_SET -> next = 1;
            case SEEK_END -> next = log.nextSeq();
            default -> {
                return -CharStatus.EINVAL;
            }
        }
        return 0;
    }
}
