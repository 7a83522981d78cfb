package dev.jdm.host.sysctl;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * The host's tunables ({@code /proc/sys}): typed keys with validation. A one-way key (a lock) can
 * be set but never cleared until the host restarts.
 */
public final class Sysctl {
    /** Value types. */
    public enum Type { BOOL, LONG, STRING }

    /**
     * One tunable.
     *
     * @param oneWay once true, stays true
     * @param min smallest value of a LONG
     * @param max largest value of a LONG
     */
    public record Entry(String key, Type type, boolean writable, boolean oneWay, long min, long max, String description) {}

    private final Map<String, Entry> entries = new ConcurrentSkipListMap<>();
    private final Map<String, String> values = new ConcurrentSkipListMap<>();
    private final Map<String, Consumer<String>> listeners = new ConcurrentSkipListMap<>();

    /** Registers a key with its initial value. */
    public void register(Entry entry, String initial) {
        entries.put(entry.key(), entry);
        values.put(entry.key(), normalise(entry, initial));
    }

    /** Runs {@code listener} after every successful write of {@code key}. */
    public void onChange(String key, Consumer<String> listener) {
        listeners.put(key, listener);
    }

    /** The value of a key, if it exists. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of a boolean key. */
    public boolean bool(String key) {
        return "1".equals(values.get(key));
    }

    /** The value of a numeric key. */
    public long longValue(String key) {
        return Long.parseLong(values.get(key));
    }

    /** All keys with values, sorted. */
    public List<Map.Entry<String, String>> all() {
        return List.copyOf(values.entrySet());
    }

    /** The definition of a key. */
    public Optional<Entry> entry(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /**
     * Writes a key.
     *
     * @throws HostException ENOENT for an unknown key, EPERM for a read-only or locked key, EINVAL for a bad value
     */
    public synchronized void set(String key, String value) {
        Entry e = entries.get(key);
        if (e == null) {
            throw new HostException(Errno.ENOENT, "sysctl: unknown key " + key);
        }
        if (!e.writable()) {
            throw new HostException(Errno.EPERM, "sysctl: " + key + " is read-only");
        }
        String v = normalise(e, value);
        if (e.oneWay() && "1".equals(values.get(key)) && !"1".equals(v)) {
            throw new HostException(Errno.EPERM, "sysctl: " + key + " is set and cannot be cleared until the host restarts");
        }
        values.put(key, v);
        Consumer<String> l = listeners.get(key);
        if (l != null) {
            l.accept(v);
        }
    }

    /** Sets a read-only key from inside the host. */
    public void setInternal(String key, String value) {
        Entry e = entries.get(key);
        values.put(key, normalise(e, value));
    }

    private static String normalise(Entry e, String value) {
        String v = value == null ? "" : value.strip();
        return switch (e.type()) {
            case BOOL -> switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "1", "y", "yes", "true", "on" -> "1";
                case "0", "n", "no", "false", "off" -> "0";
                default -> throw new HostException(Errno.EINVAL, "sysctl: " + e.key() + " takes 0 or 1, not \"" + v + "\"");
            };
            case LONG -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException ex) {
                    throw new HostException(Errno.EINVAL, "sysctl: " + e.key() + " takes an integer, not \"" + v + "\"");
                }
                if (n < e.min() || n > e.max()) {
                    throw new HostException(Errno.EINVAL, "sysctl: " + e.key() + " must be in " + e.min() + ".." + e.max() + ", not " + n);
                }
                yield Long.toString(n);
            }
            case STRING -> {
                if (v.length() > 4096 || v.contains("\n")) {
                    throw new HostException(Errno.EINVAL, "sysctl: " + e.key() + " takes one line of at most 4096 characters");
                }
                yield v;
            }
        };
    }
}
