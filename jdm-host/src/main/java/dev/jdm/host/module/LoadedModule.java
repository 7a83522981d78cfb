package dev.jdm.host.module;

import dev.jdm.abi.LoadableModule;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.ModuleExports;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A module in the host: its description, state, and who holds it. State moves coming, live,
 * going, and changes only under the manager's lock; readers get consistent enough snapshots
 * through volatiles. References are counted on this object, never on the name, so that a module
 * replaced under its own name drains its own.
 */
public final class LoadedModule {
    private final ModInfo info;
    private final String origin;
    private final long codeSize;
    private final List<String> dependencies;
    final ModuleContextImpl context;
    final ModuleClassLoader loader;
    final ModuleExports exports;
    final EnumSet<Taint> taints;
    volatile LoadableModule instance;
    volatile ModuleState state = ModuleState.COMING;
    /** Where it runs: {@code colocated}, or what its {@link ModulePlacement.Home} says. */
    volatile String domain = "colocated";
    volatile boolean slated;
    /** rmmod is running its exit, outside the module lock. */
    volatile boolean exiting;
    final Set<String> holders = new TreeSet<>();
    int pins;

    LoadedModule(ModInfo info, String origin, long codeSize, List<String> dependencies, ModuleContextImpl context,
            ModuleClassLoader loader, ModuleExports exports, EnumSet<Taint> taints) {
        this.info = info;
        this.origin = origin;
        this.codeSize = codeSize;
        this.dependencies = List.copyOf(dependencies);
        this.context = context;
        this.loader = loader;
        this.exports = exports;
        this.taints = taints;
    }

    /** Module name. */
    public String name() {
        return info.name();
    }

    /** The module's modinfo as loaded. */
    public ModInfo info() {
        return info;
    }

    /** File the module was loaded from, or a description. */
    public String origin() {
        return origin;
    }

    /** Where it runs: {@code colocated} or {@code isolated:NAME}. */
    public String domain() {
        return domain;
    }

    /** Current state. */
    public ModuleState state() {
        return state;
    }

    /** Whether rmmod --wait slated it to unload when free. */
    public boolean slated() {
        return slated;
    }

    /** Modules this one depends on. */
    public List<String> dependencies() {
        return dependencies;
    }

    synchronized void addHolder(String dependent) {
        holders.add(dependent);
    }

    synchronized void removeHolder(String dependent) {
        holders.remove(dependent);
    }

    /** Modules that depend on this one. */
    public synchronized List<String> holders() {
        return List.copyOf(holders);
    }

    /** Pins: open devices and the like (references other than dependent modules). */
    synchronized int pins() {
        return pins;
    }

    /** References: dependents plus pins (open devices, tasks). */
    public synchronized int refcount() {
        return holders.size() + pins;
    }

    /** Taints this module caused. */
    public Set<Taint> taints() {
        return Set.copyOf(taints);
    }

    /** What the service for {@code type} gave this module ({@code ModuleContext.block()} and the like). */
    public <T> java.util.Optional<T> attached(Class<T> type) {
        return context.attachedFace(type);
    }

    /** The adapters through which the host serves this module's older ABI shapes, if any. */
    public java.util.Set<String> adapters() {
        return context.adapters();
    }

    /** Size as lsmod shows it: class bytes plus the memory the module holds now. */
    public long size() {
        return codeSize + context.footprint();
    }
}
