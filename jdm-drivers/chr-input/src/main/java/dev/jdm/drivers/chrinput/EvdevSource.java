package dev.jdm.drivers.chrinput;

import dev.jdm.abi.Log;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.StreamReceiver;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * kbd0's input from a Linux evdev node the host granted ({@code evdev=/dev/input/eventN}) and
 * reads for it: its {@code struct input_event} records become the same events the emulated
 * keyboard feeds. A read may end inside a record (a FIFO standing in for the node), so the part
 * is kept for the next; a stream that ends inside a record, or a record of an event type Linux
 * does not have, stops the source with one error naming the node and the byte offset.
 */
final class EvdevSource implements StreamReceiver {
    private final String path;
    private final Kbd kbd;
    private final Log log;
    private final byte[] part = new byte[Events.SIZE];
    private final MemorySegment record = MemorySegment.ofArray(part);
    private int have;
    private long offset; // of the record being assembled, in the stream
    private volatile boolean stopped;

    EvdevSource(String path, Kbd kbd, Log log) {
        this.path = path;
        this.kbd = kbd;
        this.log = log;
    }

    @Override
    public void data(MemorySegment bytes) {
        if (stopped) {
            return;
        }
        List<Events.Event> events = new ArrayList<>();
        long at = 0;
        while (at < bytes.byteSize()) {
            int n = (int) Math.min(Events.SIZE - have, bytes.byteSize() - at);
            MemorySegment.copy(bytes, at, record, have, n);
            have += n;
            at += n;
            if (have == Events.SIZE) {
                Events.Event e = Events.readFrom(record, 0);
                if (e.type() > Events.EV_MAX) {
                    fail("the record at byte " + offset + " has event type 0x" + Integer.toHexString(e.type()) + ", beyond EV_MAX (0x"
                            + Integer.toHexString(Events.EV_MAX) + "): not a stream of " + Events.SIZE + "-byte struct input_event");
                    break;
                }
                events.add(e);
                have = 0;
                offset += Events.SIZE;
            }
        }
        if (!events.isEmpty()) {
            kbd.deliver(events);
        }
    }

    @Override
    public void end(GrantException error) {
        if (stopped) {
            return;
        }
        if (error != null) {
            fail(error.getMessage());
        } else if (have != 0) {
            fail("the stream ended inside the record at byte " + offset + ": " + have + " of its " + Events.SIZE
                    + " bytes (a struct input_event) arrived");
        } else {
            log.info("kbd0: " + path + " ended after " + offset / Events.SIZE + " events; the emulated keyboard still feeds kbd0");
        }
    }

    private void fail(String why) {
        stopped = true;
        log.err("kbd0: evdev " + path + ": " + why);
    }
}
