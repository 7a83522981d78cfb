package dev.jdm.drivers.chrinput;

import dev.jdm.abi.chr.CallVersion;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.Raises;
import java.util.List;

/**
 * kbd0's typed calls: feed the emulated keyboard and ask its state. Clients see this interface as
 * a schema ({@code jdm dev describe kbd0}); a client built against another shape is refused.
 */
@CallVersion(1)
public interface Keyboard {
    /** What a key did, with evdev's values. */
    enum Action { RELEASE, PRESS, REPEAT }

    /** One key event: an evdev key code (KEY_A is 30) and what it did. */
    record KeyEvent(int code, Action action) {}

    /** Events to feed, in order. */
    record Keys(List<KeyEvent> events) {}

    /** Text to type on a US layout: letters, digits, space, newline and {@code -=,./;'}. */
    record Text(String text) {}

    /** What happened to fed events: how many events reached readers' queues, and how many readers. */
    record Fed(int events, int readers) {}

    /** The device's state. */
    record Status(boolean held, int readers, long delivered, long dropped) {}

    /** Feeds key events; each is followed by a SYN_REPORT. */
    @Raises({CharStatus.EINVAL})
    Fed feed(Keys keys);

    /** Types text as presses and releases (shift for capitals). */
    @Raises({CharStatus.EINVAL})
    Fed type(Text text);

    /** Who holds the device and what was delivered. */
    Status status();
}
