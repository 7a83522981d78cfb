package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharLayer;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;

/** Each module's character layer; the nodes a module leaves registered are removed when it goes. */
final class CharService implements ModuleService<CharLayer> {
    private final CharRegistry registry;

    CharService(CharRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Class<CharLayer> face() {
        return CharLayer.class;
    }

    @Override
    public Attachment<CharLayer> attach(ModuleSite module) {
        ModuleCharLayer layer = new ModuleCharLayer(registry, module);
        return new Attachment<>() {
            @Override
            public CharLayer face() {
                return layer;
            }

            @Override
            public void going() {
                layer.close(false);
            }

            @Override
            public void detach(Detach why) {
                layer.close(why == Detach.UNLOADED);
            }
        };
    }
}
