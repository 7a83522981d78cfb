package dev.jdm.host.export;

import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.block.LuInfo;
import java.util.List;
import java.util.Optional;

/** The block layer's LUs as exportable devices; {@link #find} opens the LU for the export it is for. */
public final class LuDevices implements DeviceSource {
    /** The holder name an exported LU shows in {@code jdm blk ls}. */
    public static final String HOLDER = "nbd";

    private final BlockRegistry block;

    public LuDevices(BlockRegistry block) {
        this.block = block;
    }

    @Override
    public Optional<ExportableDevice> find(String name) {
        if (block.find(name).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new LuExportableDevice(block.open(name, HOLDER)));
    }

    @Override
    public List<String> names() {
        return block.list().stream().map(LuInfo::name).toList();
    }
}
