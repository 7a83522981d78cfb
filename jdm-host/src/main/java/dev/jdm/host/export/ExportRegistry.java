package dev.jdm.host.export;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The host's exports by name, and the connections attached to each. Removing an export that
 * connections use is refused (EBUSY) unless forced, which closes them first.
 */
public final class ExportRegistry {
    /** Export names: short and safe in a URI path and a log line. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    /** A live connection on an export; closing it detaches. */
    public interface Attachment extends AutoCloseable {
        @Override
        void close();
    }

    private record Entry(Export export, List<Runnable> closers) {}

    private final Map<String, Entry> exports = new LinkedHashMap<>();

    /**
     * Adds an export.
     *
     * @throws HostException EINVAL for a bad name, EEXIST if the name is taken
     */
    public synchronized Export add(String name, ExportableDevice device, boolean readOnly) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new HostException(Errno.EINVAL, "export name \"" + name + "\" is not 1-64 of [A-Za-z0-9._:-] starting with a letter or digit");
        }
        if (exports.containsKey(name)) {
            throw new HostException(Errno.EEXIST, "export " + name + " already exists; remove it first");
        }
        Export e = new Export(name, device, readOnly);
        exports.put(name, new Entry(e, new ArrayList<>()));
        return e;
    }

    /**
     * Removes an export.
     *
     * @param force close the connections that use it instead of refusing
     * @return the removed export
     * @throws HostException ENOENT if there is no such export, EBUSY if connections use it
     */
    public Export remove(String name, boolean force) {
        List<Runnable> toClose;
        Export removed;
        synchronized (this) {
            Entry e = exports.get(name);
            if (e == null) {
                throw new HostException(Errno.ENOENT, "no export named " + name);
            }
            if (!e.closers().isEmpty() && !force) {
                throw new HostException(Errno.EBUSY, "export " + name + " has " + e.closers().size()
                        + " connection(s); disconnect them or remove with --force");
            }
            exports.remove(name);
            toClose = List.copyOf(e.closers());
            removed = e.export();
        }
        toClose.forEach(Runnable::run); // outside the lock: closing waits for nothing of ours
        return removed;
    }

    /** The export called {@code name}; the empty name means the first export added (NBD's default export). */
    public synchronized Optional<Export> find(String name) {
        if (name.isEmpty()) {
            return exports.values().stream().findFirst().map(Entry::export);
        }
        return Optional.ofNullable(exports.get(name)).map(Entry::export);
    }

    /** All exports, in the order they were added. */
    public synchronized List<Export> list() {
        return exports.values().stream().map(Entry::export).toList();
    }

    /** Connections attached to an export now. */
    public synchronized int connections(String name) {
        Entry e = exports.get(name);
        return e == null ? 0 : e.closers().size();
    }

    /**
     * Attaches a connection to an export.
     *
     * @param closer closes the connection when the export is removed by force
     * @return the attachment, or empty if the export is gone
     */
    public synchronized Optional<Attachment> attach(Export export, Runnable closer) {
        Entry e = exports.get(export.name());
        if (e == null || e.export() != export) {
            return Optional.empty();
        }
        e.closers().add(closer);
        return Optional.of(() -> {
            synchronized (ExportRegistry.this) {
                e.closers().remove(closer);
            }
        });
    }
}
