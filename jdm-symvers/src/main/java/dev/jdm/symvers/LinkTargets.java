package dev.jdm.symvers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a module may link to besides the JDK: the ABI, and the types its dependencies export.
 * Knows which provider (ABI or module name) owns each type.
 */
public final class LinkTargets {
    /** Provider name of ABI symbols. */
    public static final String ABI = "abi";

    private final TypeWorld world;
    private final Map<String, String> providerByType;
    private final String generation;

    private LinkTargets(TypeWorld world, Map<String, String> providerByType, String generation) {
        this.world = world;
        this.providerByType = providerByType;
        this.generation = generation;
    }

    /** The ABI plus the exported types of these modules. */
    public static LinkTargets of(AbiModel abi, List<ModuleExports> dependencies) {
        Map<String, String> providers = new HashMap<>();
        List<TypeInfo> types = new ArrayList<>(abi.world().types());
        abi.world().types().forEach(t -> providers.put(t.name(), ABI));
        for (ModuleExports dep : dependencies) {
            for (TypeInfo t : dep.types().types()) {
                providers.putIfAbsent(t.name(), dep.module());
                types.add(t);
            }
        }
        return new LinkTargets(TypeWorld.of(types), Map.copyOf(providers), abi.generation());
    }

    /** All linkable types. */
    public TypeWorld world() {
        return world;
    }

    /** {@link #ABI} or the exporting module's name, for a linkable type. */
    public Optional<String> providerOf(String binaryName) {
        return Optional.ofNullable(providerByType.get(binaryName));
    }

    /** The ABI generation. */
    public String generation() {
        return generation;
    }
}
