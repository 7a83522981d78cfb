package dev.jdm.sweep.lu;

import com.sun.nio.file.ExtendedOpenOption;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.block.LuHandle;
import dev.jdm.host.block.LuInfo;
import dev.jdm.host.calls.LuHandleCalls;
import dev.jdm.host.module.ModuleIndex;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.sweep.DeviceInfo;
import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Files and block devices named on the command line, swept without a running host: an embedded
 * host in this process (a private socket and state directory, no NBD, no modules but one
 * {@code filedisk} per target) whose grant opens each path with this process's rights, the
 * invoking user's, and whose block layer carries the I/O. Targets are opened through
 * {@link Host#openLu} as a task with this process's credentials, so the security hooks apply.
 */
public final class StandaloneSweepDevices implements SweepDevices, AutoCloseable {
    private final Path modulesDir;
    private final Map<String, SweepLocalTarget> targets = new LinkedHashMap<>();
    private final Map<String, Integer> mine = new HashMap<>();
    private final List<LuHandle> handles = new ArrayList<>();
    private Host host;
    private Task task;
    private Path runDir;
    private int instances;

    /**
     * Looks at every path first, so a bad one is refused before anything is opened.
     *
     * @throws SweepException ENOENT, EISDIR or EINVAL naming the path
     */
    public StandaloneSweepDevices(List<String> paths, Path modulesDir) {
        this(paths, modulesDir, 512);
    }

    /** The same, giving regular files {@code fileBlockSize}-byte blocks (512 or 4096) instead of 512. */
    StandaloneSweepDevices(List<String> paths, Path modulesDir, int fileBlockSize) {
        this.modulesDir = modulesDir;
        for (String p : paths) {
            SweepLocalTarget t = SweepLocalTarget.inspect(p, fileBlockSize);
            targets.putIfAbsent(t.name(), t);
        }
    }

    @Override
    public synchronized List<DeviceInfo> list() {
        List<DeviceInfo> out = new ArrayList<>();
        for (SweepLocalTarget t : targets.values()) {
            try (SweepDevice d = open(t, false)) {
                out.add(DeviceInfo.of(d));
            }
        }
        return out;
    }

    @Override
    public synchronized SweepDevice open(String name, boolean writable) {
        SweepLocalTarget t = targets.get(SweepLocalTarget.nameOf(name));
        if (t == null) {
            throw new SweepException("ENOENT", name + ": not one of the paths given on the command line");
        }
        return open(t, writable);
    }

    private SweepDevice open(SweepLocalTarget t, boolean writable) {
        if (writable) {
            checkWritable(t);
        }
        start();
        String module = instances == 0 ? "filedisk" : "filedisk_" + instances;
        String lu = "sweep" + instances;
        instances++;
        boolean direct = directIo(t.real());
        load(t, module, Map.of("backing", t.real().toString(), "name", lu, "readonly", writable ? "n" : "y",
                "direct", direct ? "y" : "n", "discard", "n", "block_size", Integer.toString(t.blockSize())));
        LuHandle h;
        try {
            h = host.openLu(task, lu, LuHandleCalls.HOLDER, writable);
        } catch (HostException e) {
            unload(module);
            throw new SweepException(e.code().name(), t.name() + ": " + e.getMessage());
        }
        handles.add(h);
        mine.merge(lu, 1, Integer::sum);
        LuInfo info = h.info();
        // A file has no model or label; the block layer's scan gives its table. Zeros are written as
        // buffers: filedisk's write-zeroes would punch holes (freeing blocks without overwriting them)
        // or write small pieces, and a wiper wants every block overwritten at full size.
        var facts = new LuSweepDevice.Facts(t.name(), lu, info.size(), info.logicalBlockSize(), !t.partition(), info.bootGuard(),
                !Files.isWritable(t.real()), false, t.model(), t.serial(), Optional.empty(),
                info.uuid().isEmpty() ? Optional.empty() : Optional.of(info.uuid()),
                info.tableType().equals("none") ? Optional.empty() : Optional.of(info.tableType()));
        return new HandleSweepDevice(facts, h, () -> {
            Optional<String> system = t.inUse();
            return system.isPresent() ? system : SweepLuUsage.reason(lu, views(), mine);
        }, () -> {
            synchronized (this) {
                h.close();
                handles.remove(h);
                mine.merge(lu, -1, Integer::sum);
                unload(module);
            }
        });
    }

    /**
     * Lowers the guard of the LU made for a whole-device path, so the run can write its boot area.
     * The caller opened the path with their own rights and may write all of it anyway (dd would);
     * the guard is this embedded host's, on an LU only this process sees, and it goes with the
     * process. The block layer logs the change at NOTICE, naming the path and the user.
     */
    @Override
    public synchronized void includeBootArea(SweepDevice device) {
        if (!(device instanceof HandleSweepDevice h) || !handles.contains(h.handle())) {
            throw new SweepException("EINVAL", device.name() + ": not a device this run opened from a path");
        }
        if (!device.wholeDevice() || device.guardLimit() == 0) {
            return; // a partition holds no boot area; a lowered guard stays lowered
        }
        try {
            host.block().setBootGuard(h.handle().name(), 0, "jdm sweep --include-boot-area of " + device.name() + " for uid "
                    + Libc.getuid());
        } catch (HostException e) {
            throw new SweepException(e.code().name(), device.name() + ": cannot lower its boot guard: " + e.getMessage());
        }
    }

    /** Opens the path for writing (writing nothing) to refuse early, with the system's own reason. */
    private static void checkWritable(SweepLocalTarget t) {
        try (FileChannel ch = FileChannel.open(t.real(), StandardOpenOption.WRITE)) {
            return;
        } catch (java.nio.file.FileSystemException e) {
            String why = String.valueOf(e.getReason());
            String errno = why.contains("Read-only file system") ? "EROFS" : why.contains("not permitted") ? "EPERM" : "EACCES";
            throw new SweepException(errno, t.name() + ": cannot be opened for writing by uid " + Libc.getuid() + " (" + why
                    + "); nothing was written");
        } catch (IOException e) {
            throw new SweepException("EIO", t.name() + ": cannot be opened for writing: " + e.getMessage() + "; nothing was written");
        }
    }

    /** The embedded host, once started (for tests). */
    Host host() {
        return host;
    }

    private List<SweepLuUsage.View> views() {
        return host.block().list().stream().map(l -> new SweepLuUsage.View(l.name(), l.disk(), List.copyOf(l.holders().keySet()),
                l.openCount())).toList();
    }

    /** O_DIRECT where the file system supports it (tmpfs does not): reads come from the medium, writes skip the cache. */
    private static boolean directIo(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private void load(SweepLocalTarget t, String module, Map<String, String> params) {
        ModuleIndex index = host.modules().index();
        ModuleIndex.Entry e = index.find("filedisk").orElseThrow(() -> new SweepException("ENOENT",
                "the bundled filedisk module is not in " + modulesDir + "; run jdm through ./jdm, or set JDM_HOME"));
        JarContents jar = index.read(e);
        try {
            // a second file needs a second filedisk: the same binary under another name, as modprobe -o
            host.modules().loadAs(module.equals(e.name()) ? null : module, jar, e.path().toString(), params, false);
        } catch (HostException x) {
            throw new SweepException(x.code().name(), t.name() + ": " + x.getMessage());
        }
    }

    private void unload(String module) {
        try {
            host.modules().unload(module, false, false);
        } catch (HostException ignored) {
            // the host's close unloads what is left
        }
    }

    /** The embedded host: private socket and state, no NBD, no start-up modules. */
    private void start() {
        if (host != null) {
            return;
        }
        if (modulesDir == null) {
            throw new SweepException("ENOENT", "cannot find the bundled modules (filedisk) to open files with; run jdm through ./jdm,"
                    + " or set JDM_HOME or -Djdm.modules");
        }
        try {
            runDir = Files.createTempDirectory("jdm-sweep-"); // mode 0700: the socket is ours alone
            host = Host.embedded(runDir, modulesDir);
        } catch (IOException | HostException e) {
            throw new SweepException("EIO", "cannot start the embedded host: " + e.getMessage());
        }
        task = host.tasks().create("sweep", new Credentials(Libc.getuid(), Libc.getgid(), (int) ProcessHandle.current().pid()));
    }

    @Override
    public synchronized void close() {
        List.copyOf(handles).forEach(LuHandle::close);
        handles.clear();
        if (host != null) {
            host.tasks().exit(task);
            host.close();
            host = null;
        }
        if (runDir != null) {
            try (Stream<Path> s = Files.walk(runDir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind
            }
        }
    }
}
