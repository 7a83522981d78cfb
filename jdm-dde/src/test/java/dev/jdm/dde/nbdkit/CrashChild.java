package dev.jdm.dde.nbdkit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Run in a child JVM by CrashTest: loads the test plugin with crash-write=N and writes until the
 * plugin dereferences NULL. Prints each completed write, so the parent knows how far it got.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        String plugin = args[0];
        int n = Integer.parseInt(args[1]);
        try (NbdkitPlugin p = NbdkitPlugin.start(plugin, List.of("size=1M", "crash-write=" + n), (name, level, text) -> System.err.println(name + ": " + text));
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(4096);
            for (int i = 1; i <= n + 1; i++) {
                c.pwrite(buf, 4096L * (i % 256), 0);
                System.out.println("write " + i + " done");
                System.out.flush();
            }
        }
        System.out.println("no crash");
    }
}
