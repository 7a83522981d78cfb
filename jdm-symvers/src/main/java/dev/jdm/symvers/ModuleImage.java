package dev.jdm.symvers;

import java.lang.classfile.ClassModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A module's classes parsed once: the models, the entry class, and the types. Shared by modpost
 * and the host's loader, which both scan the same bytecode.
 *
 * @param origin where the module came from, for messages
 * @param models parsed classes by internal name
 * @param entry the class carrying {@code @DriverModule}
 */
public record ModuleImage(String origin, Map<String, ClassModel> models, ClassModel entry) {

    /**
     * Parses the classes and finds the one entry class.
     *
     * @throws SymversException if a class is malformed or there is not exactly one {@code @DriverModule}
     */
    public static ModuleImage of(JarContents contents) {
        Map<String, ClassModel> models = new LinkedHashMap<>();
        for (var e : contents.classes().entrySet()) {
            if (e.getKey().endsWith("module-info")) {
                throw new SymversException(contents.origin() + ": module-info.class is not supported in driver modules");
            }
            models.put(e.getKey(), TypeReader.parse(e.getValue(), contents.origin() + "!" + e.getKey() + ".class"));
        }
        List<ClassModel> entries = models.values().stream()
                .filter(m -> TypeReader.isEntry(TypeReader.annotations(m.findAttribute(java.lang.classfile.Attributes.runtimeVisibleAnnotations()))))
                .toList();
        if (entries.isEmpty()) {
            throw new SymversException(contents.origin() + ": no class is annotated @DriverModule (or the JDM_1.0 @Module)");
        }
        if (entries.size() > 1) {
            throw new SymversException(contents.origin() + ": more than one class is annotated @Module: "
                    + entries.stream().map(m -> m.thisClass().asInternalName().replace('/', '.')).toList());
        }
        return new ModuleImage(contents.origin(), Map.copyOf(models), entries.getFirst());
    }

    /** Binary name of the entry class. */
    public String entryName() {
        return entry.thisClass().asInternalName().replace('/', '.');
    }
}
