package dev.jdm.host.module;

import dev.jdm.abi.Params;

/** A module's parameters: checked against the {@code parm} lines of its modinfo before init. */
final class ParamsService implements ModuleService<Params> {
    @Override
    public Class<Params> face() {
        return Params.class;
    }

    @Override
    public Attachment<Params> attach(ModuleSite module) {
        return Attachment.of(new ModuleParams(module.info(), module.request().params()), why -> {});
    }
}
