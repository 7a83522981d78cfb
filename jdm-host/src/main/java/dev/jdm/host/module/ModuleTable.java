package dev.jdm.host.module;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Every module the host holds: by name (coming, live or going), replaced ones that still drain,
 * and unloaded ones whose exit thread still runs. Changes happen under the manager's lock; reads
 * (lsmod, lookups) need none.
 */
final class ModuleTable {
    private final Map<String, LoadedModule> byName = new ConcurrentSkipListMap<>();
    /** Replaced under their own name and still draining: out of {@code byName}, still loaded. */
    private final Set<LoadedModule> retired = ConcurrentHashMap.newKeySet();
    /** Unloaded, but the exit thread still runs (taint D). */
    private final Set<LoadedModule> stuck = ConcurrentHashMap.newKeySet();

    Optional<LoadedModule> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Reserves the module's name while it is coming; EEXIST if the name is taken. */
    void reserve(LoadedModule m) {
        LoadedModule existing = byName.putIfAbsent(m.name(), m);
        if (existing != null) {
            throw alreadyLoaded(existing);
        }
    }

    static HostException alreadyLoaded(LoadedModule existing) {
        return new HostException(Errno.EEXIST, existing.name() + ": a module of this name is already loaded ("
                + existing.state().name().toLowerCase() + ", from " + existing.origin() + ")");
    }

    /** Whether {@code m} is the module its name serves now (not a retired predecessor). */
    boolean isCurrent(LoadedModule m) {
        return byName.get(m.name()) == m;
    }

    /** Whether {@code m} is still loaded, current or retired. */
    boolean holds(LoadedModule m) {
        return isCurrent(m) || retired.contains(m);
    }

    /** Moves a module being replaced under its own name out of the way of its successor. */
    void retire(LoadedModule m) {
        byName.remove(m.name(), m);
        retired.add(m);
    }

    /** Undoes {@link #retire} when the successor failed to load. */
    void restore(LoadedModule m) {
        retired.remove(m);
        byName.put(m.name(), m);
    }

    void remove(LoadedModule m) {
        byName.remove(m.name(), m);
        retired.remove(m);
    }

    void stuck(LoadedModule m) {
        stuck.add(m);
    }

    void unstuck(LoadedModule m) {
        stuck.remove(m);
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** Modules by name, a draining predecessor after its successor, then stuck ones. */
    List<LoadedModule> list() {
        List<LoadedModule> all = new ArrayList<>(byName.values());
        all.addAll(retired);
        stuck.stream().filter(m -> !all.contains(m)).forEach(all::add);
        return List.copyOf(all);
    }

    List<LoadedModule> current() {
        return List.copyOf(byName.values());
    }

    List<LoadedModule> retired() {
        return List.copyOf(retired);
    }
}
