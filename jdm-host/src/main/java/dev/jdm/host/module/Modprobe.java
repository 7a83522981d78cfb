package dev.jdm.host.module;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * modprobe: loads a module found by name or alias with its soft dependencies ({@code pre:} before,
 * {@code post:} after) and hard ones (through the loader), and removes a module with the
 * dependencies nothing else uses any more.
 */
public final class Modprobe {
    private final ModuleManager modules;

    public Modprobe(ModuleManager modules) {
        this.modules = modules;
    }

    /** What {@code load} would load, in order, as module files; already loaded ones are left out. */
    public List<String> plan(String nameOrAlias) {
        ModuleIndex.Entry e = find(nameOrAlias);
        List<String> out = new ArrayList<>();
        for (String pre : softdeps(e, "pre:")) {
            modules.index().find(pre).filter(p -> modules.get(p.name()).isEmpty()).ifPresent(p -> addWithDeps(p, out, new LinkedHashSet<>()));
        }
        addWithDeps(e, out, new LinkedHashSet<>());
        for (String post : softdeps(e, "post:")) {
            modules.index().find(post).filter(p -> modules.get(p.name()).isEmpty()).ifPresent(p -> addWithDeps(p, out, new LinkedHashSet<>()));
        }
        return out;
    }

    private void addWithDeps(ModuleIndex.Entry e, List<String> out, Set<String> path) {
        if (!path.add(e.name())) {
            throw new HostException(Errno.ELOOP, e.name() + ": dependency cycle: " + String.join(" -> ", path) + " -> " + e.name());
        }
        for (String d : e.info().depends()) {
            if (modules.get(d).isEmpty()) {
                addWithDeps(modules.index().find(d).orElseThrow(() -> new HostException(Errno.ENOENT,
                        e.name() + ": depends on " + d + ", which is in no module directory")), out, path);
            }
        }
        path.remove(e.name());
        String line = "insmod " + e.path();
        if (modules.get(e.name()).isEmpty() && !out.contains(line)) {
            out.add(line);
        }
    }

    /** Loads the module; returns the names of the modules it loaded (none if already loaded). */
    public List<String> load(String nameOrAlias, Map<String, String> params) {
        ModuleIndex.Entry e = find(nameOrAlias);
        List<String> loaded = new ArrayList<>();
        if (modules.get(e.name()).isPresent()) {
            return loaded;
        }
        for (String pre : softdeps(e, "pre:")) {
            loadSoft(pre, loaded);
        }
        List<String> before = names();
        modules.load(modules.index().read(e), e.path().toString(), params, false);
        for (String n : names()) {
            if (!before.contains(n)) {
                loaded.add(n);
            }
        }
        for (String post : softdeps(e, "post:")) {
            loadSoft(post, loaded);
        }
        return loaded;
    }

    private void loadSoft(String name, List<String> loaded) {
        var soft = modules.index().find(name);
        if (soft.isPresent() && modules.get(soft.get().name()).isEmpty()) {
            List<String> before = names();
            modules.load(modules.index().read(soft.get()), soft.get().path().toString(), Map.of(), false);
            names().stream().filter(n -> !before.contains(n)).forEach(loaded::add);
        }
    }

    /** Removes the module, then each dependency that nothing holds any more; returns what went. */
    public List<String> remove(String name) {
        LoadedModule m = modules.get(name).orElseThrow(() -> new HostException(Errno.ENOENT, name + ": module is not loaded"));
        List<String> removed = new ArrayList<>();
        modules.unload(m.name(), false, false);
        removed.add(m.name());
        for (String dep : m.dependencies()) {
            modules.get(dep).filter(d -> d.refcount() == 0 && d.state() == ModuleState.LIVE).ifPresent(d -> removed.addAll(remove(d.name())));
        }
        return removed;
    }

    private ModuleIndex.Entry find(String nameOrAlias) {
        return modules.index().find(nameOrAlias).orElseThrow(() -> new HostException(Errno.ENOENT,
                "modprobe: module " + nameOrAlias + " not found in " + modules.index().directories()));
    }

    private static List<String> softdeps(ModuleIndex.Entry e, String kind) {
        List<String> out = new ArrayList<>();
        for (String sd : e.info().all("softdep")) {
            String[] words = sd.trim().split("\\s+");
            boolean in = false;
            for (String w : words) {
                if (w.endsWith(":")) {
                    in = w.equals(kind);
                } else if (in && !w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    private List<String> names() {
        return modules.list().stream().map(LoadedModule::name).toList();
    }
}
