package dev.jdm.isolation.process;

import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Ends the domain when its host is gone: a daemon thread polls the control socket for the peer's
 * hang-up only ({@code POLLRDHUP}; it never reads, so the entry's frames stay untouched) and halts
 * the JVM with {@link #EXIT_HOST_GONE}. Without it a domain sleeping on an eventfd doorbell would
 * outlive a crashed host, holding its memory and grants. (PR_SET_PDEATHSIG is no substitute: it
 * fires when the host's forking thread ends, not the host.)
 */
final class HostWatch {
    /** Exit code of a domain whose host closed the control channel or died. */
    static final int EXIT_HOST_GONE = 75;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLRDHUP = 0x2000;

    private HostWatch() {}

    static void start(int controlFd) {
        Thread.ofPlatform().daemon().name("jdm-host-watch").start(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment pfd = a.allocate(8, 4);
                for (;;) {
                    pfd.set(ValueLayout.JAVA_INT, 0, controlFd);
                    pfd.set(ValueLayout.JAVA_SHORT, 4, POLLRDHUP);
                    pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                    try {
                        Sys.call("poll(control fd)", Sys.POLL, pfd, 1L, -1);
                    } catch (SysException e) {
                        continue; // EINTR
                    }
                    short revents = pfd.get(ValueLayout.JAVA_SHORT, 6);
                    if ((revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0) {
                        System.err.println("jdm domain: the host closed the control channel; ending the domain");
                        Runtime.getRuntime().halt(EXIT_HOST_GONE);
                    }
                }
            }
        });
    }
}
