package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/** One open as the driver sees it: the flags asked for and who asked. */
@Provided
@Since("JDM_1.2")
public interface CharOpen {
    /** Open for reading (the r bit's value, as {@code DevOpen.READ}). */
    int READ = 4;
    /** Open for writing (the w bit's value). */
    int WRITE = 2;
    /** Exclusive, as Linux's {@code O_EXCL} (0200): a second exclusive opener gets EBUSY. */
    int EXCL = 0200;
    /** Non-blocking, as Linux's {@code O_NONBLOCK} (04000): a read or write that would wait gets EAGAIN. */
    int NONBLOCK = 04000;

    /** The flags: {@link #READ}, {@link #WRITE}, {@link #EXCL}, {@link #NONBLOCK} or'ed. */
    int flags();

    /** The opener's uid. */
    int uid();

    /** The opener's gid. */
    int gid();

    /** The opener's process id (on the gate: its peer's). */
    int pid();

    /** The node opened. */
    CharDevice device();
}
