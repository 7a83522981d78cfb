package dev.jdm.abi;

/**
 * The entry class of a module. Its constructor (taking a {@link ModuleContext}) is init.
 */
@Implemented
public interface LoadableModule extends AutoCloseable {
    /**
     * Exit: undo what init did. The host reclaims memory and registrations left behind, and reports
     * them as leaks.
     */
    @Override
    void close();
}
