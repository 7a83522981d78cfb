package dev.jdm.kmod.depmod;

import dev.jdm.kmod.modinfo.ModInfoEntry;
import dev.jdm.kmod.symbols.ExportedSymbol;
import dev.jdm.kmod.symbols.ImportedSymbol;
import java.util.ArrayList;
import java.util.List;

/** depmod's view of one module file ({@code struct mod} in kmod's depmod.c). */
public final class DepmodModule {
    final String name;
    final String path;
    /** Path relative to the module directory, as written to modules.dep. */
    final String relpath;
    /** relpath with the compression suffix dropped: the key modules.order is matched on. */
    final String uncompressedRelpath;

    List<ModInfoEntry> info = List.of();
    List<ExportedSymbol> exports = List.of();
    List<ImportedSymbol> imports = List.of();
    String loadError;
    /** What reading the module found wrong, reported if depmod keeps it. */
    List<String> problems = List.of();

    int sortIdx = 1;
    int idx;
    int depSortIdx = Integer.MAX_VALUE;
    int users;
    final List<DepmodModule> deps = new ArrayList<>(4);
    /** All transitive dependencies in output order, once the topological sort has run. */
    List<DepmodModule> allDeps;

    DepmodModule(String name, String path, String relpath) {
        this.name = name;
        this.path = path;
        this.relpath = relpath;
        int slash = relpath.lastIndexOf('/');
        this.uncompressedRelpath = relpath.substring(0, slash + 1 + name.length()) + ".ko";
    }

    public String name() {
        return name;
    }

    public String relpath() {
        return relpath;
    }

    /** The modinfo entries depmod writes out: alias, softdep and weakdep, in the file's order. */
    public List<ModInfoEntry> info() {
        return info;
    }

    public List<ExportedSymbol> exports() {
        return exports;
    }

    public List<ImportedSymbol> imports() {
        return imports;
    }

    /** Direct dependencies, sorted by depmod's topological index once computed. */
    public List<DepmodModule> dependencies() {
        return deps;
    }

    @Override
    public String toString() {
        return relpath;
    }
}
