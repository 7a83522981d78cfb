package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.dde.nbdkit.PluginDescriptor.Field;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One nbdkit plugin binary, loaded into this process and driven through nbdkit's life cycle:
 * {@link #load}, any number of {@link #config}, {@link #configComplete}, {@link #getReady}, then
 * {@link #open} for each connection, and {@link #unload}. Each step either completes or throws
 * and leaves the plugin where it was; a plugin that fails to load leaves nothing loaded.
 *
 * <p>A plugin keeps its state in globals, so a binary is loaded at most once per process at a time.
 */
public final class NbdkitPlugin implements AutoCloseable {
    private enum State { CONFIGURING, CONFIGURED, READY, UNLOADED }

    /** By real path: nbdkit plugins are singletons in their process. */
    private static final Set<Path> LOADED = ConcurrentHashMap.newKeySet();
    private static final FunctionDescriptor PLUGIN_INIT = FunctionDescriptor.of(ValueLayout.ADDRESS);

    private final Path file;
    private final MemorySegment dl;
    private final long base;
    private final PluginDescriptor descriptor;
    final PluginCalls calls;
    private final PluginListener listener;
    private final String name;
    /** Parameters live as long as the plugin: plugins may keep the pointers (nbdkit's argv does). */
    final Arena strings = Arena.ofShared();
    private State state = State.CONFIGURING;
    private ThreadModel threadModel;
    final ReentrantLock allRequests = new ReentrantLock();
    final Semaphore oneConnection = new Semaphore(1);
    private int connections;

    private NbdkitPlugin(Path file, MemorySegment dl, long base, PluginDescriptor d, PluginListener listener) {
        this.file = file;
        this.dl = dl;
        this.base = base;
        this.descriptor = d;
        this.calls = new PluginCalls(d);
        this.listener = listener;
        this.name = d.string(Field.NAME);
        this.threadModel = ThreadModel.of(d.threadModel());
    }

    /** Loads a plugin by name or path and calls its {@code .load}. */
    public static NbdkitPlugin load(String nameOrPath, PluginListener listener) throws NbdkitException {
        return load(PluginFiles.resolve(nameOrPath), listener);
    }

    /** Loads the plugin in file and calls its {@code .load}. */
    public static NbdkitPlugin load(Path file, PluginListener listener) throws NbdkitException {
        return load(PluginFiles.real(file), null, listener);
    }

    /**
     * Loads a plugin whose binary the caller has read already, from a descriptor the host granted
     * (an isolated domain cannot open the path itself), and calls its {@code .load}.
     *
     * @param file the plugin's real path: its identity and its name in messages
     * @param image the binary; it may be freed once this returns
     */
    static NbdkitPlugin load(Path file, MemorySegment image, PluginListener listener) throws NbdkitException {
        Path real = file;
        NativeShim shim = NativeShim.get();
        if (!LOADED.add(real)) {
            throw new NbdkitException(BlockStatus.EINVAL, "nbdkit plugin " + real + " is already loaded in this process; unload it first (a plugin's state is global)");
        }
        MemorySegment dl = null;
        long base = 0;
        try {
            dl = image == null ? Dl.open(real, Dl.RTLD_NOW | Dl.RTLD_LOCAL)
                    : Dl.openImage(real.getFileName().toString(), image, Dl.RTLD_NOW | Dl.RTLD_LOCAL);
            shim.plugins(1); // bound to the shim from here until dlclose
            MemorySegment init = Dl.sym(dl, "plugin_init");
            if (init.equals(MemorySegment.NULL)) {
                throw new NbdkitException(BlockStatus.EINVAL, real + " is not an nbdkit plugin: it has no plugin_init function");
            }
            MethodHandle h = Linker.nativeLinker().downcallHandle(init, PLUGIN_INIT);
            MemorySegment struct = (MemorySegment) h.invokeExact();
            PluginDescriptor d = check(real, struct);
            base = shim.objectBase(init);
            NbdkitPlugin p = new NbdkitPlugin(real, dl, base, d, listener);
            Upcalls.register(base, p);
            p.lifecycle("load", p.calls.load);
            return p;
        } catch (Dl.DlException e) {
            LOADED.remove(real);
            throw new NbdkitException(BlockStatus.EINVAL, "cannot load nbdkit plugin " + real + ": " + e.getMessage());
        } catch (Throwable e) {
            if (base != 0) {
                Upcalls.unregister(base);
            }
            if (dl != null) {
                Dl.close(dl);
                shim.plugins(-1);
            }
            LOADED.remove(real);
            if (e instanceof NbdkitException n) {
                throw n;
            }
            throw new NbdkitException(BlockStatus.EIO, "cannot load nbdkit plugin " + real + ": " + e);
        }
    }

    /** What nbdkit's loader insists on before it calls anything. */
    private static PluginDescriptor check(Path file, MemorySegment struct) throws NbdkitException {
        if (struct.equals(MemorySegment.NULL)) {
            throw new NbdkitException(BlockStatus.EINVAL, file + ": plugin_init returned NULL");
        }
        PluginDescriptor d = PluginDescriptor.at(struct);
        if (d.structSize() < PluginDescriptor.HEADER_SIZE) {
            throw new NbdkitException(BlockStatus.EINVAL, file + ": _struct_size " + d.structSize() + " is too small for a struct nbdkit_plugin");
        }
        if (d.apiVersion() != 1 && d.apiVersion() != 2) {
            String which = d.apiVersion() > 2 ? "is newer than this environment, which runs API 1 and API 2 plugins" : "is not an nbdkit API version";
            throw new NbdkitException(BlockStatus.EINVAL, file + ": _api_version " + d.apiVersion() + " " + which);
        }
        if (ThreadModel.of(d.threadModel()) == null) {
            throw new NbdkitException(BlockStatus.EINVAL, file + ": _thread_model " + d.threadModel() + " is not an nbdkit thread model (0 to 3)");
        }
        if (d.string(Field.NAME) == null || d.string(Field.NAME).isEmpty()) {
            throw new NbdkitException(BlockStatus.EINVAL, file + ": the plugin has no name");
        }
        for (Field required : List.of(Field.OPEN, Field.GET_SIZE)) {
            if (!d.has(required)) {
                throw new NbdkitException(BlockStatus.EINVAL, file + ": the plugin has no ." + required.name().toLowerCase() + " callback");
            }
        }
        if (!PluginCalls.hasPread(d)) {
            throw new NbdkitException(BlockStatus.EINVAL, file + ": the plugin has no .pread callback");
        }
        return d;
    }

    /**
     * Loads, configures with {@code key=value} (or bare magic) arguments and readies a plugin in one
     * step, as {@code nbdkit PLUGIN ARGS...} does; on any failure the plugin is unloaded again.
     */
    public static NbdkitPlugin start(String nameOrPath, List<String> args, PluginListener listener) throws NbdkitException {
        return configure(load(nameOrPath, listener), args);
    }

    /**
     * {@link #start(String, List, PluginListener)} where this process may not be able to open the
     * plugin by path (an isolated domain): then the plugin, and each library it needs that the
     * process has not loaded, is read through {@code source} and loaded from memory.
     */
    public static NbdkitPlugin start(String nameOrPath, List<String> args, PluginListener listener, BinarySource source)
            throws NbdkitException {
        Path real = PluginFiles.resolve(nameOrPath);
        if (ImageLoader.openable(real)) {
            return configure(load(real, null, listener), args);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = source.read(real, arena);
            ImageLoader.dependencies(real.toString(), image, source);
            return configure(load(real, image, listener), args);
        }
    }

    private static NbdkitPlugin configure(NbdkitPlugin p, List<String> args) throws NbdkitException {
        try {
            for (String a : args) {
                p.configArgument(a);
            }
            p.configComplete();
            p.getReady();
            return p;
        } catch (NbdkitException | RuntimeException e) {
            p.unload();
            throw e;
        }
    }

    /** Passes one parameter to the plugin's {@code .config}; its refusal text becomes the message. */
    public synchronized void config(String key, String value) throws NbdkitException {
        expect(State.CONFIGURING, "config");
        if (calls.config == null) {
            throw new NbdkitException(BlockStatus.EINVAL, name + ": this plugin takes no parameters (got " + key + "=" + value + ")");
        }
        CallState s = CallState.begin(this, MemorySegment.NULL);
        int r;
        try {
            r = (int) calls.config.invokeExact(strings.allocateFrom(key), strings.allocateFrom(value));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r == -1) {
            throw refusal(key + "=" + value, "the plugin refused it", s);
        }
    }

    /**
     * {@code key=value}, or a bare value for the plugin's magic key ({@code memory 1G} means
     * {@code size=1G}), by nbdkit's rule: a key starts with a letter and holds letters, digits,
     * '_', '-' and '.'.
     */
    public void configArgument(String arg) throws NbdkitException {
        int eq = arg.indexOf('=');
        if (eq > 0 && arg.substring(0, eq).matches("[a-zA-Z][a-zA-Z0-9_.-]*")) {
            config(arg.substring(0, eq), arg.substring(eq + 1));
            return;
        }
        String magic = descriptor.string(Field.MAGIC_CONFIG_KEY);
        if (magic == null) {
            throw new NbdkitException(BlockStatus.EINVAL, name + ": '" + arg + "' is not key=value, and this plugin has no magic parameter");
        }
        config(magic, arg);
    }

    /** {@code .config_complete}, then {@code .thread_model}, which may only make the model stricter. */
    public synchronized void configComplete() throws NbdkitException {
        expect(State.CONFIGURING, "configComplete");
        CallState s = CallState.begin(this, MemorySegment.NULL);
        if (call(calls.configComplete) == -1) {
            throw refusal(null, "the configuration is incomplete", s);
        }
        if (calls.threadModel != null) {
            int m = call(calls.threadModel);
            if (m == -1) {
                throw refusal(null, ".thread_model failed", s);
            }
            ThreadModel asked = ThreadModel.of(m);
            if (asked == null) {
                throw new NbdkitException(BlockStatus.EINVAL, name + ": .thread_model returned " + m + ", not an nbdkit thread model (0 to 3)");
            }
            threadModel = threadModel.stricter(asked);
        }
        state = State.CONFIGURED;
    }

    /** {@code .get_ready}, then {@code .after_fork} (nbdkit calls it also when it does not fork). */
    public synchronized void getReady() throws NbdkitException {
        expect(State.CONFIGURED, "getReady");
        CallState s = CallState.begin(this, MemorySegment.NULL);
        if (call(calls.getReady) == -1) {
            throw refusal(null, ".get_ready failed", s);
        }
        if (call(calls.afterFork) == -1) {
            throw refusal(null, ".after_fork failed", s);
        }
        state = State.READY;
    }

    /** A connection on the default export (""). */
    public PluginConnection open(boolean readonly) throws NbdkitException {
        return open(readonly, "");
    }

    /**
     * {@code .preconnect}, {@code .open} and the negotiation callbacks. As in nbdkit, the default
     * export "" is first given its canonical name by the plugin's {@code .default_export}, which
     * is what {@code nbdkit_export_name} then answers. Under
     * {@link ThreadModel#SERIALIZE_CONNECTIONS} this waits until the previous connection closed.
     */
    public PluginConnection open(boolean readonly, String exportName) throws NbdkitException {
        synchronized (this) {
            expect(State.READY, "open");
            connections++;
        }
        try {
            return Handshake.open(this, readonly, exportName);
        } catch (NbdkitException | RuntimeException e) {
            closed();
            throw e;
        }
    }

    synchronized void closed() {
        connections--;
    }

    /** {@code .cleanup}, {@code .unload} and dlclose. Refused while connections are open. */
    public synchronized void unload() {
        if (state == State.UNLOADED) {
            return;
        }
        if (connections > 0) {
            throw new IllegalStateException(name + ": " + connections + " connection(s) still open; close them before unloading");
        }
        CallState.begin(this, MemorySegment.NULL);
        lifecycle("cleanup", calls.cleanup);
        lifecycle("unload", calls.unload);
        state = State.UNLOADED;
        Upcalls.unregister(base);
        Dl.close(dl);
        try {
            NativeShim.get().plugins(-1);
            NativeShim.get().releaseInterned(base);
        } catch (NbdkitException impossible) {
            throw new AssertionError(impossible);
        }
        strings.close();
        LOADED.remove(file);
    }

    @Override
    public void close() {
        unload();
    }

    private void lifecycle(String what, MethodHandle h) {
        if (h != null) {
            try {
                h.invokeExact();
            } catch (Throwable t) {
                throw new AssertionError(what, t);
            }
        }
    }

    private static int call(MethodHandle h) {
        if (h == null) {
            return 0;
        }
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** "memory: size=foo: could not parse size string (foo)": the plugin's words, or ours if it gave none. */
    private NbdkitException refusal(String param, String fallback, CallState s) {
        String text = s.lastError;
        return new NbdkitException(BlockStatus.EINVAL, name + ": " + (param != null ? param + ": " : "") + (text != null ? text : fallback), text);
    }

    private void expect(State wanted, String step) {
        if (state != wanted) {
            throw new IllegalStateException(name + ": " + step + " needs the plugin " + describe(wanted) + ", but it is " + describe(state));
        }
    }

    private static String describe(State s) {
        return switch (s) {
            case CONFIGURING -> "loaded and not yet configured";
            case CONFIGURED -> "configured but not ready";
            case READY -> "ready";
            case UNLOADED -> "unloaded";
        };
    }

    /** The plugin's {@code .name}. */
    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    public int apiVersion() {
        return descriptor.apiVersion();
    }

    /** The model in force: the declared one until {@link #configComplete}, then the stricter of it and .thread_model. */
    public ThreadModel threadModel() {
        return threadModel;
    }

    public String version() {
        return descriptor.string(Field.VERSION);
    }

    public String longname() {
        return descriptor.string(Field.LONGNAME);
    }

    public String description() {
        return descriptor.string(Field.DESCRIPTION);
    }

    /** The parameter help text nbdkit shows for {@code --help}, or null. */
    public String configHelp() {
        return descriptor.string(Field.CONFIG_HELP);
    }

    /** The key of a bare parameter, or null. */
    public String magicConfigKey() {
        return descriptor.string(Field.MAGIC_CONFIG_KEY);
    }

    PluginListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "nbdkit plugin " + name + " (" + file + ", API " + apiVersion() + ", " + threadModel + ")";
    }
}
