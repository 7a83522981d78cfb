package dev.jdm.host.block;

import dev.jdm.abi.Params;
import dev.jdm.host.module.ModulePin;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.symvers.ModInfo;
import java.util.List;
import java.util.Map;

/** The owner of LUs registered by code that embeds the registry without modules: nothing to pin. */
record EmbedderSite(String name) implements ModuleSite {
    @Override
    public ModInfo info() {
        return ModInfo.of(List.of(Map.entry("name", name)));
    }

    @Override
    public Params params() {
        throw new UnsupportedOperationException(name + ": an embedded block layer has no parameters");
    }

    @Override
    public ModuleService.LoadRequest request() {
        return new ModuleService.LoadRequest(info(), name, Map.of(), Map.of(), false);
    }

    @Override
    public <T> T face(Class<T> type) {
        throw new UnsupportedOperationException(name + ": an embedded block layer has no " + type.getSimpleName());
    }

    @Override
    public ModulePin pin() {
        return new ModulePin() {
            @Override
            public String module() {
                return name;
            }

            @Override
            public void close() {}
        };
    }
}
