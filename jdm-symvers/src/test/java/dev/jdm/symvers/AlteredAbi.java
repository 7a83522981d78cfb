package dev.jdm.symvers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies of the real ABI with some types changed: what another host's, or another generation's,
 * jdm-abi looks like. Shared by the tests of the check, the linker and the mutation suite.
 */
public final class AlteredAbi {
    private AlteredAbi() {}

    /** The real ABI's class files, by internal name. */
    public static Map<String, byte[]> realClasses() {
        return new HashMap<>(JarContents.read(Path.of(AbiModel.fromClassPath().origin())).classes());
    }

    /** The real ABI's classes with {@code sources} (binary name to code) compiled over them and {@code removed} gone. */
    public static Map<String, byte[]> classes(Map<String, String> sources, String... removed) {
        Map<String, byte[]> classes = realClasses();
        if (!sources.isEmpty()) {
            TestCompiler c = new TestCompiler().withAbi();
            sources.forEach(c::source);
            classes.putAll(c.compile());
        }
        for (String r : removed) {
            classes.remove(r);
        }
        return classes;
    }

    /**
     * An ABI model of these classes with the real ABI's metadata (baselines, revocations), serving
     * {@code generation} (null: the real one), plus {@code metadata} files (name below META-INF/jdm to text).
     */
    public static AbiModel model(String origin, Map<String, byte[]> classes, String generation, Map<String, String> metadata) {
        Map<String, byte[]> meta = new HashMap<>(AbiModel.fromClassPath().metadata());
        if (generation != null) {
            meta.put("generation", generation.getBytes(StandardCharsets.UTF_8));
        }
        metadata.forEach((k, v) -> meta.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return AbiModel.from(new JarContents(origin, classes, meta));
    }
}
