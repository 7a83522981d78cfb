package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.depmod.Depmod;
import dev.jdm.kmod.depmod.DepmodConfig;
import dev.jdm.kmod.depmod.DepmodOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Regenerates a kernel's module indexes after its weak-updates changed, in two steps so that
 * a failure can still be undone: {@link #prepare} may fail and leaves nothing behind, the
 * returned {@link Commit} writes.
 */
public interface Indexes {

    /** Writes the prepared indexes. */
    @FunctionalInterface
    interface Commit {
        void write() throws KmodException;
    }

    Commit prepare(ModuleRoot root, InstalledKernel kernel) throws KmodException;

    /** jdm's depmod (byte-identical with kmod's): computed in memory, written by rename. */
    static Indexes jdm() {
        return (root, kernel) -> {
            // depmod.d is read from the running system, not from the root, as kmod's depmod -b does
            Depmod d = Depmod.run(kernel.moduleDir(), DepmodConfig.load(null, kernel.release()), Map.of());
            Map<String, byte[]> files = DepmodOutput.render(d);
            return () -> DepmodOutput.write(files, kernel.moduleDir());
        };
    }

    /** kmod's own {@code depmod -b ROOT -a KVER}, from PATH. */
    static Indexes kmod() {
        return (root, kernel) -> () -> {
            ProcessBuilder pb = new ProcessBuilder("depmod", "-b", root.dir().toString(), "-a", kernel.release())
                    .redirectErrorStream(true);
            try {
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                int rc = p.waitFor();
                if (rc != 0) {
                    throw KmodException.in(kernel.release(), "kmod's depmod exited with " + rc + (out.isEmpty() ? "" : ": " + out));
                }
            } catch (IOException e) {
                throw KmodException.in(kernel.release(), "cannot run kmod's depmod (" + e.getMessage() + "); is kmod installed?");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw KmodException.in(kernel.release(), "interrupted while kmod's depmod ran");
            }
        };
    }
}
