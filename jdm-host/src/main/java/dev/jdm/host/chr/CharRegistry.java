package dev.jdm.host.chr;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharDriver;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModulePin;
import dev.jdm.host.module.ModuleService;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The character-device layer's facade: the node table (names and numbers), opening a node as a
 * task, and typed calls. Modules reach it through {@link #moduleService()}.
 */
public final class CharRegistry {
    /** The major of nodes that ask for no number (Linux's first local/experimental major). */
    static final int DEFAULT_MAJOR = 240;
    private static final int OPEN_FLAGS = CharOpen.READ | CharOpen.WRITE | CharOpen.EXCL | CharOpen.NONBLOCK;

    private final LogRing log;
    private final IntSupplier hostUid;
    private final IntSupplier hostGid;
    private final Map<String, CharNode> byName = new HashMap<>();
    private final Map<Long, CharNode> byNumber = new HashMap<>();

    public CharRegistry(LogRing log, IntSupplier hostUid, IntSupplier hostGid) {
        this.log = log;
        this.hostUid = hostUid;
        this.hostGid = hostGid;
    }

    /** What each module's context serves as {@code chr()}. */
    public ModuleService<CharLayer> moduleService() {
        return new CharService(this);
    }

    LogRing log() {
        return log;
    }

    int hostUid() {
        return hostUid.getAsInt();
    }

    int hostGid() {
        return hostGid.getAsInt();
    }

    synchronized CharDevice add(ModuleCharLayer layer, String name, int major, int minor, int owner, int group, int mode, CharDriver driver,
            TypedCalls calls) {
        if (byName.containsKey(name)) {
            throw new IllegalStateException("char device " + name + " exists already (registered by " + byName.get(name).module().name() + ")");
        }
        if (major < 0) {
            major = DEFAULT_MAJOR;
            minor = 0;
            while (byNumber.containsKey(number(major, minor))) {
                minor++;
            }
        } else if (byNumber.containsKey(number(major, minor))) {
            throw new IllegalStateException("char device " + name + ": number " + major + ":" + minor + " is "
                    + byNumber.get(number(major, minor)).name() + "'s");
        }
        CharNode n = new CharNode(this, layer, name, major, minor, owner, group, mode, driver, calls);
        byName.put(name, n);
        byNumber.put(number(major, minor), n);
        layer.added(n);
        log.append(LogLevel.INFO, "chr", layer.site().name() + ": " + name + " (" + major + ":" + minor + ", mode 0"
                + Integer.toOctalString(mode) + ")" + (calls == null ? "" : " with typed calls"));
        return n;
    }

    private static long number(int major, int minor) {
        return (long) major << 32 | minor;
    }

    synchronized void removed(CharNode n) {
        byName.remove(n.name(), n);
        byNumber.remove(number(n.major(), n.minor()), n);
    }

    /** Every node, by name. */
    public synchronized List<NodeInfo> list() {
        return byName.values().stream().map(CharNode::info).sorted(Comparator.comparing(NodeInfo::name)).toList();
    }

    /** One node. */
    public synchronized Optional<NodeInfo> find(String name) {
        return Optional.ofNullable(byName.get(name)).map(CharNode::info);
    }

    private synchronized CharNode node(String name) {
        CharNode n = byName.get(name);
        if (n == null) {
            throw new HostException(Errno.ENOENT, "no char device " + name + (byName.isEmpty() ? "" : " (jdm dev ls lists them)"));
        }
        return n;
    }

    /**
     * Opens {@code name} for a task: {@code dev_open} first, then a reference on the driver's
     * module, the exclusive hold if asked, and the driver's open.
     *
     * @throws HostException ENOENT, EINVAL for bad flags, EACCES/EPERM from the security stack, EBUSY if held, or the driver's refusal
     */
    public OpenFile open(String name, int flags, CharAccess access) {
        if ((flags & ~OPEN_FLAGS) != 0 || (flags & (CharOpen.READ | CharOpen.WRITE)) == 0) {
            throw new HostException(Errno.EINVAL, "open " + name + ": flags 0" + Integer.toOctalString(flags)
                    + "; give read (4) and/or write (2), optionally O_EXCL (0200) and O_NONBLOCK (04000)");
        }
        CharNode n = node(name);
        access.checkOpen(n.info(), flags & (CharOpen.READ | CharOpen.WRITE));
        ModulePin pin = n.module().pin();
        OpenFile f = new OpenFile(n, flags, pin, access);
        if ((flags & CharOpen.EXCL) != 0 && !n.hold(f)) {
            pin.close();
            throw new HostException(Errno.EBUSY, name + " is held by an exclusive open; try again once it is closed");
        }
        CharFile file;
        try {
            file = n.driver().open(new OpenRequest(flags, access.uid(), access.gid(), access.pid(), n));
            if (file == null) {
                throw new HostException(Errno.EIO, name + ": the driver's open returned no file");
            }
        } catch (CharException e) {
            n.forget(f);
            pin.close();
            throw new HostException(Errno.ofStatus(e.errno()), name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            n.forget(f);
            pin.close();
            throw e instanceof HostException h ? h : new HostException(Errno.EIO, name + ": the driver's open failed: " + e);
        }
        f.attach(file);
        n.added(f);
        if (n.isRemoved()) { // removed while it opened: the removal did not see this file
            f.close();
            throw new HostException(Errno.ENODEV, name + " was removed");
        }
        return f;
    }

    /** A node's typed calls, if it has any. */
    public Optional<TypedCalls> calls(String name) {
        return node(name).calls();
    }

    /**
     * A typed call as a task: asked as {@code dev_open} for reading and writing (as an ioctl needs an
     * open file) and then {@code chr_call}; the driver's module is held while it runs.
     */
    public DevValue call(String name, String method, String fingerprint, DevValue args, CharAccess access) {
        CharNode n = node(name);
        TypedCalls calls = n.calls().orElseThrow(() -> new HostException(Errno.ENOTTY, name + " has no typed calls"));
        access.checkOpen(n.info(), CharOpen.READ | CharOpen.WRITE);
        access.checkCall(n.info(), method, 0);
        try (ModulePin pin = n.module().pin()) {
            return calls.invoke(method, fingerprint, args);
        }
    }
}
