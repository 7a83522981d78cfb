package dev.jdm.host.chr;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.chr.HostLog;
import dev.jdm.host.module.ModuleSite;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** One module's character layer: the nodes it registered, removed (open files released) when it goes. */
final class ModuleCharLayer implements CharLayer {
    private final CharRegistry registry;
    private final ModuleSite module;
    private final List<CharNode> nodes = new CopyOnWriteArrayList<>();
    private final ModuleHostLog hostLog;
    private volatile boolean closed;

    ModuleCharLayer(CharRegistry registry, ModuleSite module) {
        this.registry = registry;
        this.module = module;
        this.hostLog = new ModuleHostLog(registry.log());
    }

    @Override
    public CharDevice.Builder device(String name) {
        if (closed) {
            throw new IllegalStateException(module.name() + ": char device " + name + ": the module is going");
        }
        return new NodeBuilder(registry, this, name);
    }

    @Override
    public HostLog hostLog() {
        return hostLog;
    }

    ModuleSite site() {
        return module;
    }

    void added(CharNode node) {
        nodes.add(node);
    }

    void removed(CharNode node) {
        nodes.remove(node);
    }

    /** The module is going: nothing calls into it any more; {@code report} names nodes it left behind. */
    void close(boolean report) {
        closed = true;
        hostLog.close();
        for (CharNode n : List.copyOf(nodes)) {
            if (report) {
                registry.log().append(LogLevel.INFO, "chr", module.name() + " left char device " + n.name() + " registered; removed");
            }
            n.remove();
        }
    }
}
