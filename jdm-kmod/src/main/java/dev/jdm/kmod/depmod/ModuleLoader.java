package dev.jdm.kmod.depmod;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.ElfSection;
import dev.jdm.kmod.io.ModuleFile;
import dev.jdm.kmod.modinfo.ModInfoEntry;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.Exports;
import dev.jdm.kmod.symbols.ImportedSymbol;
import dev.jdm.kmod.symbols.Imports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads modinfo, exports and imports of modules on every core, from the moment the tree walk
 * finds them: kmod reads them one after the other once the walk is done. Each worker takes the
 * next module as it finishes one (sizes vary a hundredfold) and inflates compressed ones into
 * buffers of its own. A module that the walk later replaces by a duplicate of higher priority
 * has been read for nothing, which is rare and harmless: its problems are kept on it, and only
 * those of the modules depmod keeps are reported.
 */
final class ModuleLoader {
    private static final DepmodModule DONE = new DepmodModule("", "", "");

    private final LinkedBlockingQueue<DepmodModule> queue = new LinkedBlockingQueue<>();
    private final List<Thread> helpers = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** Starts {@code threads - 1} helpers; the caller's thread is the last worker, from {@link #finish}. */
    ModuleLoader(int threads) {
        for (int t = 1; t < threads; t++) {
            helpers.add(Thread.ofPlatform().name("depmod-load-" + t).daemon().start(this::help));
        }
    }

    /** Queues {@code m} for reading. */
    void add(DepmodModule m) {
        queue.add(m);
    }

    /** Reads what is still queued on this thread too, then waits for the helpers. */
    void finish(Path moduleDir) throws KmodException {
        for (int i = 0; i < helpers.size(); i++) {
            queue.add(DONE);
        }
        try (ModuleFile.Scratch scratch = new ModuleFile.Scratch()) {
            for (DepmodModule m; failure.get() == null && (m = queue.poll()) != null; ) {
                if (m == DONE) {
                    queue.add(DONE); // a helper's; it takes it when the queue runs dry
                    break;
                }
                read(m, scratch);
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
        try {
            for (Thread t : helpers) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KmodException.in(moduleDir, "interrupted while reading modules");
        }
        // instanceof, not a pattern switch: its type-switch bootstrap spins a class at the end of every run
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        } else if (t instanceof Error e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void help() {
        try (ModuleFile.Scratch scratch = new ModuleFile.Scratch()) {
            for (DepmodModule m; (m = queue.take()) != DONE; ) {
                if (failure.get() == null) {
                    read(m, scratch);
                }
            }
        } catch (InterruptedException e) {
            failure.compareAndSet(null, new IllegalStateException("module reader interrupted"));
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
            queue.clear();
        }
    }

    /**
     * The entries of .modinfo as {@link ElfFile#strings} and {@link ModInfoEntry#parse} give them
     * (NUL-separated, empty strings dropped, split at the first '='), without the intermediate
     * strings: modinfo was a sixth of depmod's garbage. Keys come from {@link #KEYS}.
     */
    static void modInfo(byte[] b, int end, List<ModInfoEntry> into) {
        modInfo(b, end, false, into);
    }

    /**
     * {@link #modInfo(byte[], int, List)}, keeping only the entries depmod writes out (alias,
     * softdep, weakdep) if {@code depmodOnly}: the rest (parm, author, description, ...) were a
     * third of the strings depmod decoded.
     */
    static void modInfo(byte[] b, int end, boolean depmodOnly, List<ModInfoEntry> into) {
        int i = 0;
        while (i < end) {
            int j = i;
            int eq = -1;
            while (j < end && b[j] != 0) {
                if (eq < 0 && b[j] == '=') {
                    eq = j;
                }
                j++;
            }
            if (j > i) {
                String key = key(b, i, eq < 0 ? j : eq); // the shared constant for a usual key, hence ==
                if (!depmodOnly || key == ALIAS || key == SOFTDEP || key == WEAKDEP) {
                    into.add(new ModInfoEntry(key, eq < 0 ? "" : latin1(b, eq + 1, j)));
                }
            }
            i = j + 1;
        }
    }

    private static final String ALIAS = "alias";
    private static final String SOFTDEP = "softdep";
    private static final String WEAKDEP = "weakdep";

    /** The usual modinfo keys, shared rather than decoded once per entry. */
    private static final String[] KEYS = {ALIAS, "license", "author", "description", "depends", "retpoline", "intree",
        "name", "vermagic", "srcversion", "parm", "parmtype", "version", "firmware", SOFTDEP, WEAKDEP, "import_ns",
        "sig_id", "signer", "sig_key", "sig_hashalgo", "signature", "scmversion"};

    private static String key(byte[] b, int from, int to) {
        for (String k : KEYS) {
            if (same(k, b, from, to)) {
                return k;
            }
        }
        return latin1(b, from, to);
    }

    private static boolean same(String k, byte[] b, int from, int to) {
        if (k.length() != to - from) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            if (k.charAt(i) != (b[from + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void read(DepmodModule m, ModuleFile.Scratch scratch) {
        List<String> problems = new ArrayList<>(0);
        try {
            ModuleFile file = ModuleFile.open(Path.of(m.path), scratch);
            ElfFile elf = ElfFile.parse(m.path, file.contents(), scratch.symbolBuffers());
            m.exports = Exports.read(elf);
            List<ModInfoEntry> info = new ArrayList<>();
            Optional<ElfSection> modinfo = elf.find(".modinfo");
            if (modinfo.isPresent()) {
                try {
                    modInfo(elf.sectionBytes(modinfo.get()), (int) modinfo.get().size(), true, info);
                } catch (KmodException e) {
                    problems.add(e.getMessage());
                }
            }
            m.info = info;
            try {
                m.imports = Imports.read(elf, scratch.names());
            } catch (KmodException noSymtab) {
                m.imports = List.of(); // kmod: "ignoring ...: no dependency symbols"
            }
            // Hashed here, on every core, for the symbol table that the single-threaded steps build.
            for (ExportedSymbol e : m.exports) {
                e.symbol().hashCode();
            }
            for (ImportedSymbol i : m.imports) {
                i.symbol().hashCode();
            }
        } catch (KmodException e) {
            m.loadError = e.getMessage();
            problems.add(e.getMessage());
        }
        m.problems = problems;
    }
}
