package dev.jdm.host.block;

import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import java.util.Set;

/** Each module's block layer; the LUs a module leaves registered are removed when it goes. */
final class BlockService implements ModuleService<BlockLayer> {
    private final BlockRegistry registry;

    BlockService(BlockRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Class<BlockLayer> face() {
        return BlockLayer.class;
    }

    @Override
    public Attachment<BlockLayer> attach(ModuleSite module) {
        ModuleBlockLayer layer = registry.forModule(module);
        return new Attachment<>() {
            @Override
            public BlockLayer face() {
                return layer;
            }

            @Override
            public Set<String> adapters() {
                return layer.adapters();
            }

            @Override
            public void detach(Detach why) {
                layer.close();
            }
        };
    }
}
