package dev.jdm.symvers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ABI as read from the class files of {@code jdm-abi}: every public type under
 * {@code dev.jdm.abi} with its role, and the generation the JAR serves.
 */
public final class AbiModel {
    /** Package prefix of the ABI, internal form. */
    public static final String ABI_PREFIX = "dev/jdm/abi/";

    private final TypeWorld world;
    private final String generation;
    private final String origin;
    private final Map<String, byte[]> metadata;

    private AbiModel(TypeWorld world, String generation, String origin, Map<String, byte[]> metadata) {
        this.world = world;
        this.generation = generation;
        this.origin = origin;
        this.metadata = metadata;
    }

    /**
     * Reads the ABI from a JAR or class directory.
     *
     * @throws SymversException if a type has no role or the generation file is missing
     */
    public static AbiModel load(Path jarOrDirectory) {
        return from(JarContents.read(jarOrDirectory));
    }

    /** The ABI on this JVM's class path: the JAR or directory holding {@code dev.jdm.abi}. */
    public static AbiModel fromClassPath() {
        try {
            Class<?> marker = Class.forName("dev.jdm.abi.Provided");
            var location = marker.getProtectionDomain().getCodeSource().getLocation();
            return load(Path.of(location.toURI()));
        } catch (ReflectiveOperationException | java.net.URISyntaxException | NullPointerException e) {
            throw new SymversException("cannot locate the jdm-abi classes on the class path: " + e);
        }
    }

    /** Builds the model from already read contents. */
    public static AbiModel from(JarContents contents) {
        List<TypeInfo> types = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : contents.classes().entrySet()) {
            if (!e.getKey().startsWith(ABI_PREFIX) || e.getKey().endsWith("package-info")) {
                continue;
            }
            TypeInfo info = TypeReader.read(e.getValue(), contents.origin() + "!" + e.getKey());
            if (!info.isPublic()) {
                continue;
            }
            if (info.role() == TypeRole.OPAQUE) {
                throw new SymversException("ABI type " + info.name() + " is marked neither @Provided nor @Implemented");
            }
            types.add(info);
        }
        String generation = contents.metadataText("generation")
                .map(String::strip)
                .orElseThrow(() -> new SymversException(contents.origin() + ": no META-INF/jdm/generation; not a jdm-abi build"));
        return new AbiModel(TypeWorld.of(types), generation, contents.origin(), contents.metadata());
    }

    /** The ABI types. */
    public TypeWorld world() {
        return world;
    }

    /** The generation this ABI build serves, e.g. {@code JDM_1.0}. */
    public String generation() {
        return generation;
    }

    /** Where the classes were read from. */
    public String origin() {
        return origin;
    }

    /**
     * The files under {@code META-INF/jdm/} of the ABI build, by their name below it: the
     * generation, the released baselines ({@code baselines/JDM_1.0.symvers}) and revocations.
     */
    public Map<String, byte[]> metadata() {
        return metadata;
    }

    /** Whether an internal or binary name lies in the ABI's packages. */
    public static boolean inAbiPackage(String name) {
        return name.replace('.', '/').startsWith(ABI_PREFIX);
    }

    /** Every symbol the ABI exports: its public types and their public and protected members. */
    public List<Symbol> symbols() {
        return Exports.symbolsOf(world.types());
    }
}
