package dev.jdm.host.mem;

/** The first stack frame outside the host's memory code: where a module allocated. */
final class AllocationSite {
    private static final StackWalker WALKER = StackWalker.getInstance();

    private AllocationSite() {}

    static String caller() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.jdm.host.mem."))
                .findFirst()
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .orElse("?"));
    }
}
