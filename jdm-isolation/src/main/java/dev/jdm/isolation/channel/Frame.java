package dev.jdm.isolation.channel;

import dev.jdm.isolation.sys.Sys;

/**
 * One control message: a type chosen by the protocol above, its payload and the descriptors that
 * came with it. The receiver owns the descriptors and must use or {@link #closeFds close} them.
 */
public record Frame(int type, byte[] payload, int[] fds) {
    /** Closes every descriptor that came with the frame. */
    public void closeFds() {
        for (int fd : fds) {
            Sys.closeQuietly(fd);
        }
    }
}
