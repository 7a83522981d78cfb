package dev.jdm.host.log;

import dev.jdm.abi.Log;
import dev.jdm.abi.LogLevel;
import java.util.Objects;

/** A module's {@link Log}: records tagged with the module's name. */
public final class ModuleLog implements Log {
    private final LogRing ring;
    private final String source;

    public ModuleLog(LogRing ring, String source) {
        this.ring = ring;
        this.source = source;
    }

    @Override
    public void log(LogLevel level, String message) {
        ring.append(Objects.requireNonNull(level, "level"), source, message);
    }
}
