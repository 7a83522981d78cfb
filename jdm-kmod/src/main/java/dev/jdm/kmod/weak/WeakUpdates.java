package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The four actions of RHEL's weak-modules, on one root. Every action first reads and checks
 * everything (modules, links, symvers) and plans all kernels; only then are links changed, all
 * or nothing, and the changed kernels' indexes regenerated. Any failure up to the last index
 * write restores the links as they were.
 */
public final class WeakUpdates {
    private final ModuleRoot root;
    private final Indexes indexes;
    private final boolean dryRun;
    private final List<String> warnings = new ArrayList<>();

    public WeakUpdates(ModuleRoot root, Indexes indexes, boolean dryRun) {
        this.root = root;
        this.indexes = indexes;
        this.dryRun = dryRun;
    }

    /** Links each module into every other installed kernel it fits; kernels without symvers are skipped with a warning. */
    public WeakUpdatesReport addModules(List<Path> files) throws KmodException {
        List<VendorModule> modules = new ArrayList<>();
        for (Path f : files) {
            modules.add(VendorModule.open(root, f));
        }
        List<KernelPlan> plans = new ArrayList<>();
        for (InstalledKernel k : root.kernels()) {
            if (modules.stream().allMatch(m -> m.kernel().equals(k.release()))) {
                continue;
            }
            if (k.symvers().isEmpty()) {
                warnings.add(k.release() + ": skipped, no symvers (looked for " + k.symversCandidates().getFirst() + " and "
                        + k.symversCandidates().get(1) + ")");
                continue;
            }
            KernelPlanner p = new KernelPlanner(root, k);
            modules.forEach(p::candidate);
            for (WeakLink l : WeakLinks.scan(root, k, t -> false, warnings)) {
                p.existing(l);
            }
            plans.add(p.plan(k.symvers().get()));
        }
        return finish("add-modules", plans);
    }

    /**
     * Removes the links to these module files from every kernel, and the links of modules that
     * needed them. As in weak-modules, only the links to files that are gone are removed: a
     * package update installs the new build at the same path before the old package's removal
     * runs, and its links must stay. A file that is still there is reported, and its links are
     * re-checked like the others.
     */
    public WeakUpdatesReport removeModules(List<Path> files) throws KmodException {
        Set<Path> gone = new HashSet<>();
        for (Path f : files) {
            Path file = root.canonical(f);
            if (Files.exists(file)) {
                warnings.add(file + ": still installed, so its links stay (delete the file first to remove them)");
            } else {
                gone.add(file);
            }
        }
        List<KernelPlan> plans = new ArrayList<>();
        for (InstalledKernel k : root.kernels()) {
            List<WeakLink> links = WeakLinks.scan(root, k, gone::contains, warnings);
            if (links.stream().noneMatch(l -> gone.contains(l.target()))) {
                continue;
            }
            KernelPlanner p = new KernelPlanner(root, k);
            for (WeakLink l : links) {
                if (gone.contains(l.target())) {
                    p.remove(l);
                } else {
                    p.existing(l);
                }
            }
            plans.add(k.symvers().isPresent() ? p.plan(k.symvers().get()) : p.unchecked());
        }
        return finish("remove-modules", plans);
    }

    /**
     * Links every module in {@code extra/} and {@code updates/} of the other kernels that fits
     * this one, newest kernel first (its module wins a name clash), and re-checks the links it has.
     */
    public WeakUpdatesReport addKernel(String release) throws KmodException {
        InstalledKernel k = root.kernel(release).requireInstalled();
        Path symvers = k.requireSymvers();
        KernelPlanner p = new KernelPlanner(root, k);
        for (InstalledKernel other : root.kernels()) {
            if (!other.equals(k)) {
                for (Path f : other.ownUpdateModules()) {
                    p.candidate(VendorModule.open(root, f));
                }
            }
        }
        for (WeakLink l : WeakLinks.scan(root, k, t -> false, warnings)) {
            p.existing(l);
        }
        return finish("add-kernel", List.of(p.plan(symvers)));
    }

    /** Removes every link in this kernel's weak-updates (dangling ones too). */
    public WeakUpdatesReport removeKernel(String release) throws KmodException {
        InstalledKernel k = root.kernel(release).requireInstalled();
        KernelPlanner p = new KernelPlanner(root, k);
        for (WeakLink l : WeakLinks.scan(root, k, t -> true, warnings)) {
            p.remove(l);
        }
        return finish("remove-kernel", List.of(p.unchecked()));
    }

    private WeakUpdatesReport finish(String action, List<KernelPlan> plans) throws KmodException {
        List<KernelPlan> changed = plans.stream().filter(KernelPlan::changes).toList();
        // A kernel whose own modules are gone is being removed (weak-modules --remove-kernel runs
        // from the kernel package's removal): there is nothing to index.
        List<KernelPlan> indexed = changed.stream().filter(p -> p.kernel().hasOwnTree()).toList();
        List<String> regenerated = new ArrayList<>();
        if (dryRun || changed.isEmpty()) {
            return new WeakUpdatesReport(action, dryRun, plans, regenerated, List.copyOf(warnings));
        }
        LinkTransaction tx = new LinkTransaction();
        try {
            for (KernelPlan plan : changed) {
                tx.apply(plan.ops(), plan.kernel().weakUpdatesDir());
            }
            List<Indexes.Commit> commits = new ArrayList<>();
            for (KernelPlan plan : indexed) {
                commits.add(indexes.prepare(root, plan.kernel()));
            }
            for (int i = 0; i < commits.size(); i++) {
                commits.get(i).write();
                regenerated.add(indexed.get(i).kernel().release());
            }
        } catch (KmodException | RuntimeException e) {
            tx.rollback();
            restoreIndexes(changed, regenerated);
            throw e;
        }
        return new WeakUpdatesReport(action, dryRun, plans, regenerated, List.copyOf(warnings));
    }

    /** After a rollback, indexes already rewritten would name links that are gone: write them again. */
    private void restoreIndexes(List<KernelPlan> changed, List<String> regenerated) {
        for (KernelPlan plan : changed) {
            if (regenerated.contains(plan.kernel().release())) {
                try {
                    indexes.prepare(root, plan.kernel()).write();
                } catch (KmodException | RuntimeException ignored) {
                    // the first error is the one reported
                }
            }
        }
    }
}
