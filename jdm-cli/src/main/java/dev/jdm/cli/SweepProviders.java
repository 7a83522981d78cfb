package dev.jdm.cli;

import dev.jdm.sweep.MemorySweepDevices;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import dev.jdm.sweep.lu.GateSweepDevices;
import dev.jdm.sweep.lu.StandaloneSweepDevices;
import java.util.List;

/**
 * Where {@code jdm sweep} finds its devices; the one place a device source is chosen:
 * <ul>
 * <li>devices an embedding program gave ({@link JdmCommand#commandLine(String[], SweepDevices)});</li>
 * <li>{@code --memory-device} (hidden, for tests): memory devices in this process;</li>
 * <li>targets that are paths (they contain a {@code /}): files and block devices opened through an
 *     embedded host ({@link StandaloneSweepDevices}), no running host needed;</li>
 * <li>otherwise LU names, and {@code --list} or {@code --tui} without targets: a running host's
 *     LUs through the call gate ({@link GateSweepDevices}); exit code 3 when no host is reachable.</li>
 * </ul>
 * A path and an LU name cannot be mixed in one run: they live in different hosts.
 */
final class SweepProviders {
    private SweepProviders() {}

    /** Whether a target names a path rather than an LU; LU names never contain a slash. */
    static boolean isPath(String target) {
        return target.contains("/");
    }

    /** The provider for these targets; close it (if {@link AutoCloseable}) when done. */
    static SweepDevices choose(JdmCommand root, List<String> memoryDevices, List<String> targets) {
        if (root.sweepDevices != null) {
            return root.sweepDevices;
        }
        if (!memoryDevices.isEmpty()) {
            MemorySweepDevices m = new MemorySweepDevices();
            memoryDevices.forEach(m::add);
            return m;
        }
        List<String> paths = targets.stream().filter(SweepProviders::isPath).toList();
        if (!paths.isEmpty()) {
            if (paths.size() != targets.size()) {
                String lu = targets.stream().filter(x -> !isPath(x)).findFirst().orElseThrow();
                throw new SweepException("EINVAL", lu + ": an LU name among paths; sweep files and block devices (paths) and a running"
                        + " host's LUs (names) in separate runs, or write ./" + lu + " for a file");
            }
            return new StandaloneSweepDevices(targets, HostCommand.bundledDefault());
        }
        try {
            return new GateSweepDevices(root.connect());
        } catch (dev.jdm.gate.GateException g) {
            CliException e = CliException.from(g);
            String file = targets.stream().filter(x -> java.nio.file.Files.exists(java.nio.file.Path.of(x))).findFirst().orElse(null);
            throw file == null ? e : new CliException(e.exitCode(), e.getMessage() + "; for the file " + file + " here, write ./" + file);
        }
    }
}
