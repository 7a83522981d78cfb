package dev.jdm.isolation.process;

import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A pidfd of a child, opened right after it starts (it cannot have been reaped yet: it is blocked in
 * the rendezvous), so that its wait status can be read after the JDK's reaper thread reaped it.
 */
final class PidFd implements AutoCloseable {
    // _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info of 64 bytes)
    private static final long PIDFD_GET_INFO = 0xC040FF0BL;
    private static final long PIDFD_INFO_EXIT = 1L << 3;
    private static final int INFO_SIZE = 64;
    private static final int INFO_EXIT_CODE = 60;

    private final int fd;

    private PidFd(int fd) {
        this.fd = fd;
    }

    /** A pidfd of {@code pid}, or null where the kernel has none (before 5.3). */
    static PidFd open(long pid) {
        try {
            return new PidFd((int) Sys.syscall("pidfd_open(" + pid + ")", Sys.SYS_PIDFD_OPEN, pid, 0, 0));
        } catch (SysException e) {
            return null;
        }
    }

    /** The exit status the kernel kept, or null when it keeps none (before 6.15) or not yet. */
    ExitStatus exitStatus() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(INFO_SIZE, 8);
            info.set(ValueLayout.JAVA_LONG, 0, PIDFD_INFO_EXIT);
            Sys.call("ioctl(PIDFD_GET_INFO)", Sys.IOCTL, fd, PIDFD_GET_INFO, info);
            if ((info.get(ValueLayout.JAVA_LONG, 0) & PIDFD_INFO_EXIT) == 0) {
                return null;
            }
            return ExitStatus.fromWaitStatus(info.get(ValueLayout.JAVA_INT, INFO_EXIT_CODE));
        } catch (SysException e) {
            return null;
        }
    }

    @Override
    public void close() {
        Sys.closeQuietly(fd);
    }
}
