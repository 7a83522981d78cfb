package dev.jdm.host.module;

import dev.jdm.symvers.ModInfo;
import java.util.Optional;

/** One module as the services attached to it see it. */
public interface ModuleSite {
    /** The module's name. */
    String name();

    /** Its modinfo. */
    ModInfo info();

    /** Its parameters, as the module itself gets them (checked against its modinfo). */
    dev.jdm.abi.Params params();

    /** What it was loaded with: its own parameters and the host's (those claimed through {@link ModuleService#hostParams}). */
    ModuleService.LoadRequest request();

    /** A host parameter it was loaded with. */
    default Optional<String> hostParam(String key) {
        return Optional.ofNullable(request().hostParams().get(key));
    }

    /** What another service gives this module (for services built on others, as block on grants). */
    <T> T face(Class<T> type);

    /**
     * Takes a reference on this very module, not on its name: a module replaced under its own name
     * keeps its references, and its successor's stay its own.
     *
     * @throws dev.jdm.host.HostException ENOENT if the module is no longer live
     */
    ModulePin pin();
}
