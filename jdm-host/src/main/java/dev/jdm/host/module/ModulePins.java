package dev.jdm.host.module;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** References on one module: counted on the module itself, never on its name. */
final class ModulePins {
    private ModulePins() {}

    /**
     * Takes a reference on {@code m} if it is live; closing the pin drops it, and the last pin of a
     * slated module hands it to {@code release}.
     */
    static ModulePin pin(LoadedModule m, Consumer<LoadedModule> release) {
        synchronized (m) {
            if (m.state() != ModuleState.LIVE) {
                throw new HostException(Errno.ENOENT, m.name() + ": module is not live");
            }
            m.pins++;
        }
        AtomicBoolean closed = new AtomicBoolean();
        return new ModulePin() {
            @Override
            public String module() {
                return m.name();
            }

            @Override
            public void close() {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                boolean free;
                synchronized (m) {
                    m.pins--;
                    free = m.slated && m.refcount() == 0;
                }
                if (free) {
                    release.accept(m);
                }
            }
        };
    }
}
