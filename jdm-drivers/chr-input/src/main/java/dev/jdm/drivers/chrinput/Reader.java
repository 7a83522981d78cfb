package dev.jdm.drivers.chrinput;

import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.Ioctl;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * One open file of kbd0: a queue of events waiting to be read. Reads return whole events only;
 * two legacy ioctls are served as evdev serves them, EVIOCGVERSION and EVIOCGNAME.
 */
final class Reader implements CharFile {
    /** EVIOCGVERSION: _IOR('E', 0x01, int). */
    static final int EVIOCGVERSION = Ioctl.ior('E', 0x01, 4);
    /** The evdev protocol version (EV_VERSION). */
    static final int EV_VERSION = 0x010001;
    /** EVIOCGNAME(len): _IOC(_IOC_READ, 'E', 0x06, len). */
    static final int EVIOCGNAME_NR = 0x06;

    private final Kbd kbd;
    final boolean exclusive;
    private final EventQueue queue = new EventQueue(4096);

    Reader(Kbd kbd, boolean exclusive) {
        this.kbd = kbd;
        this.exclusive = exclusive;
    }

    EventQueue queue() {
        return queue;
    }

    @Override
    public int read(MemorySegment dst) {
        if (dst.byteSize() < Events.SIZE) {
            return -CharStatus.EINVAL; // evdev: a buffer must hold one whole event
        }
        int n = queue.drainTo(dst, (int) (dst.byteSize() / Events.SIZE));
        return n == 0 ? -CharStatus.EAGAIN : n * Events.SIZE;
    }

    @Override
    public int write(MemorySegment src) {
        return -CharStatus.EINVAL; // input comes from the keyboard (feed), not from readers
    }

    @Override
    public int poll() {
        return queue.isEmpty() ? 0 : POLLIN;
    }

    @Override
    public long ioctl(int cmd, MemorySegment arg) {
        if (cmd == EVIOCGVERSION) {
            arg.set(ValueLayout.JAVA_INT_UNALIGNED, 0, EV_VERSION);
            return 0;
        }
        if (Ioctl.type(cmd) == 'E' && Ioctl.nr(cmd) == EVIOCGNAME_NR && Ioctl.dir(cmd) == Ioctl.READ) {
            byte[] name = (Kbd.NAME + "\0").getBytes(StandardCharsets.US_ASCII);
            int n = (int) Math.min(name.length, arg.byteSize());
            MemorySegment.copy(name, 0, arg, ValueLayout.JAVA_BYTE, 0, n);
            return n;
        }
        return -CharStatus.ENOTTY;
    }

    @Override
    public void release() {
        kbd.closed(this);
    }
}
