package dev.jdm.dde.nbdkit;

import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Java ends of the shim's upcalls. They run on the plugin's thread, inside a plugin callback
 * or on a thread the plugin started; an exception escaping an upcall would end the JVM, so none
 * does.
 */
final class Upcalls {
    /** Loaded plugins by the load address of their shared object, where their calls come from. */
    private static final Map<Long, NbdkitPlugin> BY_BASE = new ConcurrentHashMap<>();
    /** Messages no plugin can be named for (a library's constructor, say), kept for the next plugin that loads. */
    private static final java.util.Deque<String> ORPHANS = new java.util.ArrayDeque<>();
    private static final int ORPHANS_KEPT = 32;

    private Upcalls() {}

    static void register(long base, NbdkitPlugin plugin) {
        BY_BASE.put(base, plugin);
        synchronized (ORPHANS) {
            for (String text; (text = ORPHANS.poll()) != null; ) {
                plugin.listener().message(plugin.name(), PluginListener.Level.ERROR, "(before it loaded) " + text);
            }
        }
    }

    static void unregister(long base) {
        BY_BASE.remove(base);
    }

    /** nbdkit_error and nbdkit_debug. */
    static void message(MemorySegment callerBase, int level, MemorySegment text) {
        try {
            String t = strip(NativeStrings.read(text));
            CallState state = CallState.current();
            NbdkitPlugin from = BY_BASE.getOrDefault(callerBase.address(), state.plugin);
            PluginListener.Level l = level == 0 ? PluginListener.Level.ERROR : PluginListener.Level.DEBUG;
            if (l == PluginListener.Level.ERROR) {
                state.lastError = t;
            }
            deliver(from, l, t);
        } catch (Throwable t) {
            deliver(null, PluginListener.Level.ERROR, "lost a plugin message: " + t);
        }
    }

    static void setError(int err) {
        CallState.current().setError = err;
    }

    static int addExtent(MemorySegment token, long offset, long length, int type) {
        try {
            CallState state = CallState.current();
            ExtentCollector c = state.extents;
            if (c == null || c.token.address() != token.address()) {
                error(state, "nbdkit_add_extent: called outside the .extents callback that owns this list");
                return BlockStatus.EINVAL;
            }
            return c.add(state, offset, length, type);
        } catch (Throwable t) {
            return BlockStatus.EIO;
        }
    }

    static MemorySegment exportName() {
        try {
            CallState state = CallState.current();
            if (state.exportName.equals(MemorySegment.NULL)) {
                error(state, "nbdkit_export_name: called outside a connection");
            }
            return state.exportName;
        } catch (Throwable t) {
            return MemorySegment.NULL;
        }
    }

    /** An error the environment reports for the plugin of the current call, as nbdkit_error would. */
    static void error(CallState state, String text) {
        state.lastError = text;
        deliver(state.plugin, PluginListener.Level.ERROR, text);
    }

    /** To the plugin's listener; a message of no known plugin goes to every loaded one, or waits for the next. */
    private static void deliver(NbdkitPlugin plugin, PluginListener.Level level, String text) {
        if (plugin != null) {
            plugin.listener().message(plugin.name(), level, text);
            return;
        }
        java.util.Collection<NbdkitPlugin> loaded = java.util.List.copyOf(BY_BASE.values());
        if (!loaded.isEmpty()) {
            loaded.forEach(p -> p.listener().message("?", level, text));
            return;
        }
        synchronized (ORPHANS) {
            if (ORPHANS.size() == ORPHANS_KEPT) {
                ORPHANS.poll();
            }
            ORPHANS.add(text);
        }
    }

    private static String strip(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
