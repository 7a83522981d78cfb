package dev.jdm.drivers.chrinput;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.abi.chr.CharStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated keyboard behind kbd0. Fed events go to every reader's queue, unless a reader holds
 * the device exclusively (O_EXCL, as EVIOCGRAB): then only to it. A holder's file is released by
 * the host as soon as its connection ends, so input returns to the others at once.
 */
final class Kbd implements CharDriver, Keyboard {
    static final String NAME = "jdm emulated keyboard";
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final AtomicLong delivered = new AtomicLong();
    private volatile CharDevice device;

    void device(CharDevice d) {
        this.device = d;
    }

    @Override
    public CharFile open(CharOpen open) {
        Reader r = new Reader(this, (open.flags() & CharOpen.EXCL) != 0);
        readers.add(r);
        return r;
    }

    void closed(Reader r) {
        readers.remove(r);
    }

    /** Who gets input now: the exclusive holder alone, or everyone. */
    private List<Reader> targets() {
        for (Reader r : readers) {
            if (r.exclusive) {
                return List.of(r);
            }
        }
        return List.copyOf(readers);
    }

    @Override
    public Fed feed(Keys keys) {
        List<Events.Event> events = new ArrayList<>();
        long now = System.nanoTime() / 1000;
        for (int i = 0; i < keys.events().size(); i++) {
            KeyEvent k = keys.events().get(i);
            if (k.code() < 1 || k.code() > Events.KEY_MAX) {
                throw new CharException(CharStatus.EINVAL, "events[" + i + "].code " + k.code() + " is not a key code (1.." + Events.KEY_MAX + ")");
            }
            events.add(new Events.Event(now, Events.EV_KEY, k.code(), k.action().ordinal()));
            events.add(new Events.Event(now, Events.EV_SYN, Events.SYN_REPORT, 0));
        }
        return deliver(events);
    }

    @Override
    public Fed type(Text text) {
        List<KeyEvent> keys = new ArrayList<>();
        for (int i = 0; i < text.text().length(); i++) {
            char c = text.text().charAt(i);
            int code = UsLayout.code(c);
            if (code < 0) {
                throw new CharException(CharStatus.EINVAL, "text[" + i + "] '" + c + "' has no key on a US layout");
            }
            boolean shift = Character.isUpperCase(c);
            if (shift) {
                keys.add(new KeyEvent(UsLayout.KEY_LEFTSHIFT, Action.PRESS));
            }
            keys.add(new KeyEvent(code, Action.PRESS));
            keys.add(new KeyEvent(code, Action.RELEASE));
            if (shift) {
                keys.add(new KeyEvent(UsLayout.KEY_LEFTSHIFT, Action.RELEASE));
            }
        }
        return feed(new Keys(keys));
    }

    /** Gives {@code events} to whoever gets input now (see the class comment) and wakes the readers. */
    Fed deliver(List<Events.Event> events) {
        List<Reader> to = targets();
        for (Reader r : to) {
            events.forEach(r.queue()::add);
        }
        delivered.addAndGet((long) events.size() * to.size());
        CharDevice d = device;
        if (d != null) {
            d.wake();
        }
        return new Fed(events.size(), to.size());
    }

    @Override
    public Status status() {
        return new Status(readers.stream().anyMatch(r -> r.exclusive), readers.size(), delivered.get(),
                readers.stream().mapToLong(r -> r.queue().dropped()).sum());
    }
}
