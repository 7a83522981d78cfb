package dev.jdm.host;

import dev.jdm.host.config.NbdOptions;
import dev.jdm.errno.Errno;
import dev.jdm.abi.LogLevel;
import dev.jdm.host.calls.BlockCalls;
import dev.jdm.host.calls.CharCalls;
import dev.jdm.host.chr.CharRegistry;
import dev.jdm.host.wiring.TaskCharAccess;
import dev.jdm.host.calls.DomainCalls;
import dev.jdm.host.calls.GrantCalls;
import dev.jdm.host.calls.HwCalls;
import dev.jdm.host.calls.ExportCalls;
import dev.jdm.host.calls.JarUploads;
import dev.jdm.host.calls.LuHandleCalls;
import dev.jdm.host.calls.ModuleCalls;
import dev.jdm.host.calls.Privilege;
import dev.jdm.host.calls.SecurityCalls;
import dev.jdm.host.calls.SystemCalls;
import dev.jdm.host.gate.CallTable;
import dev.jdm.host.wiring.HostExports;
import dev.jdm.host.wiring.TaskAccess;
import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.config.HostConfig;
import dev.jdm.host.export.ExportService;
import dev.jdm.host.export.nbd.NbdServer;
import dev.jdm.host.gate.GateServer;
import dev.jdm.host.grant.GrantPolicy;
import dev.jdm.host.hw.Board;
import dev.jdm.host.hw.EmulatedDevices;
import dev.jdm.host.hw.HwService;
import dev.jdm.host.grant.GrantService;
import dev.jdm.abi.sec.ResourceGrant;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.log.LogService;
import dev.jdm.host.mem.KmemService;
import dev.jdm.host.domain.DomainManager;
import dev.jdm.host.domain.DomainService;
import dev.jdm.host.module.ExportTable;
import dev.jdm.host.module.Linker;
import dev.jdm.host.module.Modprobe;
import dev.jdm.host.module.ModuleIndex;
import dev.jdm.host.module.ModuleManager;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.host.security.Security;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.TaskRegistry;
import dev.jdm.symvers.AbiModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host: the long-running process that plays the kernel. {@link #start} brings up sysctls, the
 * log ring, the symbol table, the module manager and the call gate, then loads the configured
 * modules; {@link #close} unloads everything and removes the socket.
 */
public final class Host implements AutoCloseable {
    /** The jdm version. */
    public static final String VERSION = "0.1.0";

    /**
     * How to start.
     *
     * @param config configuration file, or null for the embedded defaults
     * @param socket call-gate socket, or null for the config's or the default
     * @param stateDir state directory, or null likewise
     * @param bundledModules directory of bundled modules, or null
     * @param console where the log is echoed, or null
     */
    public record Options(Path config, Path socket, Path stateDir, Path bundledModules, PrintStream console, NbdOptions nbd) {
        /**
         * An embedded host (tests, tools): NBD only on its Unix socket, never on a TCP port, so
         * that it cannot collide with a host already serving 127.0.0.1:10809.
         */
        public Options(Path config, Path socket, Path stateDir, Path bundledModules, PrintStream console) {
            this(config, socket, stateDir, bundledModules, console, NbdOptions.NO_TCP);
        }

        public Options {
            nbd = nbd == null ? NbdOptions.NONE : nbd;
        }
    }

    private final Sysctl sysctl = new Sysctl();
    private final LogRing log;
    private final TaskRegistry tasks = new TaskRegistry();
    private final ExportTable exports;
    private final DomainManager domains;
    private final ModuleManager modules;
    private final Modprobe modprobe;
    private final BlockRegistry block;
    private final LuHandleCalls luHandles;
    private final CharRegistry chr;
    private final CharCalls charCalls;
    private final Board board;
    private final GateServer gate;
    private final Security security;
    private Task hostTask;
    private final Path socket;
    private final Path stateDir;
    private final List<String> startupErrors = new ArrayList<>();
    private final HostExports hostExports;
    private final Lifecycle lifecycle;

    private final Map<String, String> sysctlSettings;
    private final GrantService grants;

    private Host(Options options, HostConfig config) {
        this.sysctlSettings = config.sysctl();
        Path runtime = defaultRuntimeDir();
        this.socket = firstPath(options.socket(), config.paths().socket(), runtime.resolve("gate.sock"));
        this.stateDir = firstPath(options.stateDir(), config.paths().stateDir(), runtime.resolve("state"));
        Path userModules = firstPath(null, config.paths().modulesDir(), stateDir.resolve("modules"));
        registerSysctls();
        this.log = new LogRing(8192, options.console(), () -> (int) sysctl.longValue("log.console_level"));
        this.exports = new ExportTable(AbiModel.fromClassPath());
        sysctl.setInternal("kernel.abi_generation", exports.abi().generation());
        Linker linker = new Linker(exports, m -> log.append(LogLevel.WARNING, "host", m));
        this.modules = new ModuleManager(linker, log, sysctl, new ModuleIndex(options.bundledModules(), userModules));
        this.modprobe = new Modprobe(modules);
        this.block = new BlockRegistry(log);
        block.setRequestTimeout(() -> sysctl.longValue("blk.request_timeout_ms"));
        this.luHandles = new LuHandleCalls(this::openLu);
        tasks.onExit(luHandles::closeAll); // a connection's LU handles end with it
        this.security = new Security(sysctl, log, stateDir);
        tasks.setLifecycle(security);
        // what a module's context offers, attached in this order and detached in reverse
        modules.register(new LogService(log));
        modules.register(new KmemService(log, sysctl));
        GrantPolicy grantPolicy = new GrantPolicy(config.grants().stream().map(HostConfig.GrantSpec::rule).toList(),
                () -> sysctl.longValue("grant.params") != 0);
        this.grants = new GrantService(log, grantPolicy, (module, domain, kind, resource) -> security.checkResourceGrant(
                security.caller(), new ResourceGrant(domain, kind, resource, 0, 0)));
        modules.register(grants);
        modules.register(block.moduleService());
        this.chr = new CharRegistry(log, Libc::getuid, Libc::getgid);
        modules.register(chr.moduleService());
        modules.register(security.moduleService());
        this.board = new Board(log, (module, kind, resource, start, length) -> security.checkResourceGrant(security.caller(),
                new dev.jdm.abi.sec.ResourceGrant(modules.get(module).map(LoadedModule::domain).orElse("colocated"), kind, resource, start, length)));
        board.onUnclaimed(this::modprobeDevice); // as udev runs modprobe with a new device's MODALIAS
        modules.register(new HwService(board, log));
        this.domains = new DomainManager(log, dev.jdm.host.domain.DomainSettings.register(sysctl), grantPolicy::landlockPaths);
        DomainService placement = new DomainService(domains);
        modules.register(placement);
        modules.place(placement); // where a module runs: colocated, or the isolated domain its domain= names
        security.setReleaser(m -> modules.release((LoadedModule) m));
        this.hostExports = new HostExports(options.nbd(), config.nbd(), socket, block, tasks, security, sysctl, log, startupErrors::add);
        Privilege privilege = security::checkSettingChange;
        JarUploads uploads = new JarUploads(stateDir);
        tasks.onExit(uploads::closeAll); // an upload belongs to its connection
        this.charCalls = new CharCalls(chr, task -> new TaskCharAccess(security, task),
                module -> modules.get(module).map(LoadedModule::domain).orElse(""));
        tasks.onExit(charCalls::closeAll); // a connection's open files, and its exclusive holds, end with it
        CallTable calls = new CallTable()
                .register(new SystemCalls(new SystemCalls.HostFacts(VERSION, exports.abi().generation(), socket, stateDir,
                        modules.index().directories()), sysctl, security, log))
                .register(new ModuleCalls(modules, modprobe, exports, uploads))
                .register(new SecurityCalls(security, modules, sysctl, uploads))
                .register(new BlockCalls(block, privilege))
                .register(luHandles)
                .register(charCalls)
                .register(new DomainCalls(domains, privilege, grants))
                .register(new GrantCalls(grants))
                .register(new HwCalls(board, privilege))
                .register(new ExportCalls(hostExports.service(), hostExports::nbd, hostExports::uris, privilege, log));
        // every gate call runs as its task, so module load/unload checks deep in the manager see the caller
        this.gate = new GateServer(socket, (task, request, version, out) -> ScopedValue.where(Security.CALLER, task)
                .call(() -> {
                    calls.dispatch(task, request, version, out);
                    return null;
                }), tasks, log, sysctl);
        // started in this order, stopped in reverse: exports and LU handles pin their drivers, so
        // they go before the modules unload; the gate goes before security so no call meets a closed stack
        this.lifecycle = new Lifecycle(log)
                .add(domains) // stopped after the modules: unloading a module in a domain asks the domain
                .add(HostService.stoppedBy("modules", modules::shutdown))
                .add(HostService.stoppedBy("hw", board::close)) // devices go before their drivers' modules
                .add(HostService.stoppedBy("security", security::close))
                .add(HostService.stoppedBy("lu-handles", luHandles::closeEverything))
                .add(HostService.stoppedBy("char-files", charCalls::closeEverything))
                .add(HostService.of("gate", gate::start, gate::close))
                .add(HostService.of("nbd", () -> hostExports.start(config.nbd(), options.nbd()), hostExports::close))
                .add(HostService.of("coldplug", () -> plugConfigured(config), () -> {}))
                .add(HostService.of("start-up modules", () -> loadConfigured(config), () -> {}))
                .add(HostService.of("lu exports", () -> hostExports.exportLus(config.nbd().exports()), () -> {}));
    }

    /**
     * Starts a host.
     *
     * @throws HostException if the configuration is bad or the socket is taken
     */
    public static Host start(Options options) throws IOException {
        return start(options, options.config() == null ? HostConfig.defaults() : HostConfig.load(options.config()));
    }

    /**
     * Starts a host embedded in a tool: its socket, state and user modules under {@code runDir}
     * (which the caller made private), the bundled modules from {@code bundledModules}, no start-up
     * modules, no NBD. The tool loads what it needs through {@link #modules()}.
     */
    public static Host embedded(Path runDir, Path bundledModules) throws IOException {
        return start(new Options(null, null, null, bundledModules, null, NbdOptions.NO_TCP), HostConfig.embedded(runDir));
    }

    private static Host start(Options options, HostConfig config) throws IOException {
        Host host = new Host(options, config);
        host.boot();
        return host;
    }

    private void boot() throws IOException {
        Files.createDirectories(stateDir);
        modules.index().userDirectory().ifPresent(d -> {
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new HostException(Errno.EIO, "cannot create modules directory " + d + ": " + e.getMessage());
            }
        });
        log.append(LogLevel.INFO, "host", "jdm " + VERSION + ", ABI " + exports.abi().generation() + ", " + exports.all().size()
                + " symbols exported, uid " + Libc.getuid());
        for (Map.Entry<String, String> e : sysctlSettings.entrySet()) {
            sysctl.set(e.getKey(), e.getValue());
        }
        // the host's own work (start-up loads) runs as a task with uid 0, as kernel threads run as root
        hostTask = tasks.create("host", new Credentials(0, 0, (int) ProcessHandle.current().pid()));
        security.setHostTask(hostTask);
        lifecycle.start();
    }

    /** Loads the module whose alias matches a new device's modalias; a device nothing matches stays unbound. */
    private void modprobeDevice(String modalias) {
        try {
            List<String> loaded = modprobe.load(modalias, Map.of());
            log.append(LogLevel.INFO, "hw", "modprobe " + modalias + ": " + (loaded.isEmpty() ? "nothing to load" : "loaded " + String.join(", ", loaded)));
        } catch (HostException e) {
            log.append(LogLevel.INFO, "hw", "modprobe " + modalias + ": " + e.getMessage());
        }
    }

    /** The config's devices go on the board first, so their drivers bind as the start-up modules load. */
    private void plugConfigured(HostConfig config) {
        for (HostConfig.DeviceSpec spec : config.devices()) {
            try {
                board.plug(EmulatedDevices.make(spec.kind(), spec.params()));
            } catch (RuntimeException e) {
                startupErrors.add("[[device]] " + e.getMessage()); // the message names the kind
                log.append(LogLevel.ERR, "host", "coldplug of " + spec.kind() + " " + spec.params() + " failed: " + e.getMessage());
            }
        }
    }

    private void loadConfigured(HostConfig config) {
        for (HostConfig.ModuleSpec spec : config.modules()) {
            try {
                modprobe.load(spec.name(), spec.params());
            } catch (HostException e) {
                startupErrors.add(e.getMessage());
                log.append(LogLevel.ERR, "host", "start-up load of " + spec.name() + " failed: " + e.getMessage());
            }
        }
    }

    private void registerSysctls() {
        sysctl.register(new Sysctl.Entry("kernel.version", Sysctl.Type.STRING, false, false, 0, 0, "jdm version"), VERSION);
        sysctl.register(new Sysctl.Entry("kernel.abi_generation", Sysctl.Type.STRING, false, false, 0, 0, "ABI generation served"), "");
        sysctl.register(new Sysctl.Entry("kernel.tainted", Sysctl.Type.STRING, false, false, 0, 0, "taint letters"), "");
        sysctl.register(new Sysctl.Entry("module.load_locked", Sysctl.Type.BOOL, true, true, 0, 1,
                "once 1, no module loads or unloads until the host restarts"), "0");
        sysctl.register(new Sysctl.Entry("module.init_timeout_ms", Sysctl.Type.LONG, true, false, 100, 600_000,
                "how long a module's init or exit may take"), "10000");
        sysctl.register(new Sysctl.Entry("module.native_colocated", Sysctl.Type.BOOL, true, false, 0, 1,
                "1: a module that declares native code may run colocated (taints X); 0: only in an isolated domain"), "0");
        sysctl.register(new Sysctl.Entry("grant.params", Sysctl.Type.BOOL, true, false, 0, 1,
                "1: a file named by a module's load parameter is granted as the loader asked; 0: only where a [[grant]] rule covers it"), "1");
        sysctl.register(new Sysctl.Entry("kmem.debug", Sysctl.Type.BOOL, true, false, 0, 1,
                "record allocation sites and poison freed memory"), "0");
        sysctl.register(new Sysctl.Entry("kmem.module_limit_bytes", Sysctl.Type.LONG, true, false, 4096, Long.MAX_VALUE,
                "most memory one module may hold"), Long.toString(4L << 30));
        sysctl.register(new Sysctl.Entry("blk.device_gid", Sysctl.Type.LONG, true, false, 0, Integer.MAX_VALUE,
                "group of every LU's device node, as dev_open sees it (6: disk)"), "6");
        sysctl.register(new Sysctl.Entry("blk.request_timeout_ms", Sysctl.Type.LONG, true, false, 0, 3_600_000,
                "a request its driver holds this long fails with ETIMEDOUT, as Linux's queue/io_timeout; 0 never"),
                Long.toString(dev.jdm.host.block.BlockRegistry.DEFAULT_REQUEST_TIMEOUT_MS));
        sysctl.register(new Sysctl.Entry("log.console_level", Sysctl.Type.LONG, true, false, 0, 7,
                "highest log level echoed to the host's console (0 EMERG .. 7 DEBUG)"), "6");
        dev.jdm.host.gate.GateSysctls.register(sysctl);
        dev.jdm.host.export.nbd.NbdLimits.register(sysctl);
    }

    /** $XDG_RUNTIME_DIR/jdm, /run/jdm as root, or a per-user directory under /tmp (the rule clients use too). */
    public static Path defaultRuntimeDir() {
        return dev.jdm.gate.GateSocket.defaultRuntimeDir();
    }

    private static Path firstPath(Path flag, String config, Path dflt) {
        if (flag != null) {
            return flag.toAbsolutePath();
        }
        return config != null ? Path.of(config).toAbsolutePath() : dflt.toAbsolutePath();
    }

    /**
     * What an operator may change without a restart ({@code jdm host} runs it on SIGHUP): the
     * {@code [sysctl]} table of {@code config} (values that differ are written, as at start), and the
     * stored policy file of every live security module that has one (devacl's), as {@code jdm sec
     * reload MODULE} does. A refused value or policy leaves the old one in force; the rest still apply.
     *
     * @param config the host's TOML file, or null if it runs on embedded defaults (policies only)
     * @return one line per refusal, also logged; empty if everything applied
     */
    public List<String> reloadPolicies(Path config) {
        List<String> problems = new ArrayList<>();
        if (config != null) {
            try {
                for (Map.Entry<String, String> e : HostConfig.load(config).sysctl().entrySet()) {
                    if (!sysctl.get(e.getKey()).orElse("").equals(e.getValue())) {
                        sysctl.set(e.getKey(), e.getValue());
                        log.append(LogLevel.INFO, "host", "reload: sysctl " + e.getKey() + " = " + e.getValue());
                    }
                }
            } catch (HostException e) {
                problems.add(config + ": " + e.getMessage());
            }
        }
        for (Security.Row m : security.list()) {
            if (!m.state().equals("live")) {
                continue;
            }
            try {
                security.reload(hostTask, m.name(), null);
            } catch (HostException e) {
                if (e.code() != Errno.ENOENT) { // ENOENT: no stored policy, nothing to re-read
                    problems.add(e.getMessage());
                }
            }
        }
        problems.forEach(p -> log.append(LogLevel.ERR, "host", "reload: " + p));
        return problems;
    }

    /** Stops every service in reverse order: serving ends, then every module unloads in dependency order. */
    @Override
    public void close() {
        if (lifecycle.stop()) {
            log.append(LogLevel.INFO, "host", "stopped");
        }
    }

    public Sysctl sysctl() {
        return sysctl;
    }

    public LogRing log() {
        return log;
    }

    public TaskRegistry tasks() {
        return tasks;
    }

    /** The isolated domains. */
    public DomainManager domains() {
        return domains;
    }

    /** The export table. */
    public ExportTable exports() {
        return exports;
    }

    public ModuleManager modules() {
        return modules;
    }

    /** The block layer: LUs, partitions, and the facade for host subsystems. */
    public BlockRegistry block() {
        return block;
    }

    /** The character devices: nodes, opening them as a task, typed calls. */
    public Board board() {
        return board;
    }

    public CharRegistry chr() {
        return chr;
    }

    /** Char device files gate tasks opened through dev_open. */
    public CharCalls charFiles() {
        return charCalls;
    }

    /** LUs gate tasks opened through blk_open. */
    public LuHandleCalls luHandles() {
        return luHandles;
    }

    /**
     * Opens an LU for a task: {@code dev_open} now, {@code blk_io} on each request.
     *
     * @throws HostException ENOENT for an unknown LU, EACCES or EPERM if the security stack refuses
     */
    public dev.jdm.host.block.LuHandle openLu(Task task, String name, String holder, boolean write) {
        return block.open(name, holder, new TaskAccess(security, sysctl, task), write);
    }

    /** The security framework: the checks other subsystems call. */
    public Security security() {
        return security;
    }

    public Modprobe modprobe() {
        return modprobe;
    }

    public Path socket() {
        return socket;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Exports and the devices behind them. */
    public ExportService exportService() {
        return hostExports.service();
    }

    /** The NBD server, if any listener is configured. */
    public java.util.Optional<NbdServer> nbd() {
        return hostExports.nbd();
    }

    /** The URIs that reach an export: {@code nbd+unix:///NAME?socket=...} and {@code nbd://HOST[:PORT]/NAME}. */
    public List<String> nbdUris(String export) {
        return hostExports.uris(export);
    }

    /** The host's services, in the order they started (they stop in reverse). */
    public List<String> services() {
        return lifecycle.names();
    }

    /** Errors from loading the configured modules at start. */
    public List<String> startupErrors() {
        return List.copyOf(startupErrors);
    }
}
