package dev.jdm.host.module;

import dev.jdm.abi.Params;
import dev.jdm.symvers.ModInfo;
import java.util.function.Supplier;

/** One loaded module as the services attached to it see it. */
final class LoadedSite implements ModuleSite {
    private final LoadedModule module;
    private final ModuleService.LoadRequest request;
    private final Supplier<ModulePin> pins;

    LoadedSite(LoadedModule module, ModuleService.LoadRequest request, Supplier<ModulePin> pins) {
        this.module = module;
        this.request = request;
        this.pins = pins;
    }

    @Override
    public String name() {
        return module.name();
    }

    @Override
    public ModInfo info() {
        return module.info();
    }

    @Override
    public Params params() {
        return face(Params.class);
    }

    @Override
    public ModuleService.LoadRequest request() {
        return request;
    }

    @Override
    public <T> T face(Class<T> type) {
        return module.context.attachedFace(type).orElseThrow(() -> new IllegalStateException(
                name() + ": " + type.getSimpleName() + " is not attached yet (register its service earlier)"));
    }

    @Override
    public ModulePin pin() {
        return pins.get();
    }
}
