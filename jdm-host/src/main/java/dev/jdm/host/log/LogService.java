package dev.jdm.host.log;

import dev.jdm.abi.Log;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;

/** Each module's log: the host's ring, with the module's name as the source. */
public final class LogService implements ModuleService<Log> {
    private final LogRing ring;

    public LogService(LogRing ring) {
        this.ring = ring;
    }

    @Override
    public Class<Log> face() {
        return Log.class;
    }

    @Override
    public Attachment<Log> attach(ModuleSite module) {
        return Attachment.of(new ModuleLog(ring, module.name()), why -> {});
    }
}
