package dev.jdm.host.mem;

/** The first stack frame outside the host's memory code: where a module allocated. */
final class AllocationSite {
    private static final StackWalker WALKER = StackWalker.getInstance();
    /** The allocator's own classes, skipped by name so that callers in this package still show. */
    private static final java.util.Set<String> ALLOCATOR = java.util.Set.of(AllocationSite.class.getName(),
            ModuleKmem.class.getName(), VmallocRegions.class.getName(), Slab.class.getName());

    private AllocationSite() {}

    static String caller() {
        return WALKER.walk(frames -> frames
                .filter(f -> !ALLOCATOR.contains(f.getClassName()))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("?"));
    }
}
