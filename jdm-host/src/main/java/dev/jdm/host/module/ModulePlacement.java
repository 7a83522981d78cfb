package dev.jdm.host.module;

import dev.jdm.abi.LoadableModule;
import dev.jdm.symvers.JarContents;
import java.util.Optional;

/**
 * Where a module runs: the loader's one decision between colocated (in the host's JVM, the default)
 * and somewhere else (an isolated domain). Everything before it (reading, linking, defining, the
 * services attaching) is the same either way; only the call of init, and so of exit, differs.
 */
public interface ModulePlacement {
    /** Colocated for every module. */
    ModulePlacement COLOCATED = request -> Optional.empty();

    /** Where {@code request} runs; empty: colocated. Throw a {@code HostException} to refuse. */
    Optional<Home> home(ModuleService.LoadRequest request);

    /** The host parameters that load a dependency where {@code request} runs (none: colocated). */
    default java.util.Map<String, String> placeAlike(ModuleService.LoadRequest request) {
        return java.util.Map.of();
    }

    /** A place other than the host's JVM. */
    interface Home {
        /** For lsmod: {@code isolated:NAME}. */
        String describe();

        /**
         * Runs the module's init there and returns its handle; the handle's {@code close()} runs its
         * exit there. Called with the module's services attached, under the init time limit.
         */
        LoadableModule init(ModuleSite site, JarContents jar);
    }
}
