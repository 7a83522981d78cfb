package dev.jdm.symvers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A set of types looked up by binary name: the ABI, a module's own classes, its dependencies'. */
public final class TypeWorld {
    private final Map<String, TypeInfo> types;

    private TypeWorld(Map<String, TypeInfo> types) {
        this.types = types;
    }

    /** A world holding exactly these types. */
    public static TypeWorld of(Collection<TypeInfo> types) {
        Map<String, TypeInfo> map = new LinkedHashMap<>();
        for (TypeInfo t : types) {
            map.put(t.name(), t);
        }
        return new TypeWorld(Map.copyOf(map));
    }

    /** A world holding the types of all given worlds; earlier worlds win on a clash. */
    public static TypeWorld union(TypeWorld... worlds) {
        Map<String, TypeInfo> map = new LinkedHashMap<>();
        for (int i = worlds.length - 1; i >= 0; i--) {
            map.putAll(worlds[i].types);
        }
        return new TypeWorld(Map.copyOf(map));
    }

    /** The type with this binary name. */
    public Optional<TypeInfo> find(String binaryName) {
        return Optional.ofNullable(types.get(binaryName));
    }

    /** Whether the type is in this world. */
    public boolean contains(String binaryName) {
        return types.containsKey(binaryName);
    }

    /** All types, in no particular order. */
    public Collection<TypeInfo> types() {
        return types.values();
    }

    /** Binary names of all types. */
    public List<String> names() {
        return new ArrayList<>(types.keySet());
    }
}
