package dev.jdm.host;

import dev.jdm.symvers.AlteredAbi;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.Modpost;
import dev.jdm.symvers.SourceNames;
import dev.jdm.symvers.TestCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds module JARs for tests: properly through modpost, against an altered ABI, or by hand. */
public final class TestModules {
    private TestModules() {}

    /** A module built as the Maven plugin would, against the real ABI and the given module JARs. */
    public static Path build(Path jar, Map<String, String> sources, Path... deps) throws IOException {
        TestCompiler c = new TestCompiler().withAbi();
        for (Path d : deps) {
            c.classpath(d);
        }
        sources.forEach(c::source);
        Map<String, byte[]> classes = c.compile();
        List<JarContents> cp = java.util.Arrays.stream(deps).map(JarContents::read).toList();
        return pack(jar, classes, Modpost.run(new JarContents("test", classes, Map.of()), AbiModel.fromClassPath(), cp,
                java.util.Optional.of(SourceNames.scan(sources.values()))));
    }

    /**
     * A module built against a copy of the ABI in which {@code alteredAbi} sources replace or add
     * types: what a module built for a different host looks like.
     */
    public static Path buildAgainstAlteredAbi(Path jar, Map<String, String> alteredAbi, Map<String, String> sources) throws IOException {
        return buildAgainstAlteredAbi(jar, null, alteredAbi, sources);
    }

    /** As {@link #buildAgainstAlteredAbi(Path, Map, Map)}, with the altered ABI serving {@code generation} (null: the real one's). */
    public static Path buildAgainstAlteredAbi(Path jar, String generation, Map<String, String> alteredAbi, Map<String, String> sources)
            throws IOException {
        TestCompiler c = new TestCompiler().withAbi();
        alteredAbi.forEach(c::source);
        sources.forEach(c::source);
        Map<String, byte[]> all = c.compile();
        Map<String, byte[]> abiClasses = AlteredAbi.realClasses();
        Map<String, byte[]> moduleClasses = new LinkedHashMap<>();
        all.forEach((k, v) -> (k.startsWith("dev/jdm/abi/") ? abiClasses : moduleClasses).put(k, v));
        AbiModel altered = AlteredAbi.model("altered-abi", abiClasses, generation, Map.of());
        return pack(jar, moduleClasses, Modpost.run(new JarContents("test", moduleClasses, Map.of()), altered, List.of(),
                java.util.Optional.of(SourceNames.scan(sources.values()))));
    }

    /** Compiles sources against the ABI and the host (so they can name things modules must not). */
    public static Map<String, byte[]> compile(Map<String, String> sources) {
        TestCompiler c = new TestCompiler().withAbi();
        try {
            c.classpath(Path.of(Host.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        sources.forEach(c::source);
        return c.compile();
    }

    /** A JAR written by hand: classes plus the given metadata files (name below META-INF/jdm to text). */
    public static Path raw(Path jar, Map<String, byte[]> classes, Map<String, String> metadata) throws IOException {
        Map<String, byte[]> resources = new LinkedHashMap<>();
        metadata.forEach((k, v) -> resources.put("META-INF/jdm/" + k, v.getBytes(StandardCharsets.UTF_8)));
        return TestCompiler.writeJar(jar, classes, resources);
    }

    private static Path pack(Path jar, Map<String, byte[]> classes, Modpost.Output out) throws IOException {
        return raw(jar, classes, Map.of("modinfo", out.modinfo().format(), "versions", out.versions().format(),
                "exports", out.exports().format()));
    }

    /** Source of a minimal module whose constructor body is {@code init}. */
    public static Map<String, String> module(String name, String init) {
        String cls = "M" + name.replace("-", "_");
        return Map.of("t." + cls, """
                package t;
                import dev.jdm.abi.*;
                import dev.jdm.abi.DriverModule;
                import dev.jdm.abi.mem.*;
                @DriverModule(name = "%s", license = "GPL")
                public final class %s implements LoadableModule {
                    private final ModuleContext ctx;
                    public %s(ModuleContext ctx) throws Exception {
                        this.ctx = ctx;
                        %s
                    }
                    @Override public void close() {}
                }
                """.formatted(name, cls, cls, init));
    }
}
