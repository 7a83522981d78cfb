package dev.jdm.symvers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources in memory for tests: modules that do forbidden things, altered copies of
 * ABI types, and so on. Class path entries are JARs or directories.
 */
public final class TestCompiler {
    private final List<Path> classpath = new ArrayList<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();

    /** Adds the class path entry holding the ABI on this JVM. */
    public TestCompiler withAbi() {
        try {
            classpath.add(Path.of(Class.forName("dev.jdm.abi.Provided").getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Adds a class path entry. */
    public TestCompiler classpath(Path path) {
        classpath.add(path);
        return this;
    }

    /** Adds a source file by the binary name of its top-level class. */
    public TestCompiler source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Adds a non-class entry to the JAR. */
    public TestCompiler resource(String path, String text) {
        resources.put(path, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Compiles; fails with javac's diagnostics if compilation fails. Returns class bytes by internal name. */
    public Map<String, byte[]> compile() {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager std = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        Map<String, ByteArrayOutputStream> out = new LinkedHashMap<>();
        JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + ".class"), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return out.computeIfAbsent(className.replace('.', '/'), k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, code) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        }));
        List<String> options = new ArrayList<>(List.of("--release", "25", "-proc:none"));
        if (!classpath.isEmpty()) {
            options.add("-classpath");
            options.add(String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList()));
        }
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, fm, null, options, null, units).call();
        if (!ok) {
            throw new IllegalStateException("test sources did not compile:\n" + diagnostics);
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        out.forEach((k, v) -> classes.put(k, v.toByteArray()));
        return classes;
    }

    /** Compiles into a JAR at {@code jar}, with the added resources. */
    public Path jar(Path jar) throws IOException {
        return writeJar(jar, compile(), resources);
    }

    /** Compiles into a directory of class files. */
    public Path directory(Path dir) throws IOException {
        for (var e : compile().entrySet()) {
            Path f = dir.resolve(e.getKey() + ".class");
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        for (var e : resources.entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        return dir;
    }

    /** Writes class bytes and resources as a JAR. */
    public static Path writeJar(Path jar, Map<String, byte[]> classes, Map<String, byte[]> resources) throws IOException {
        Files.createDirectories(jar.toAbsolutePath().getParent());
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar))) {
            for (var e : classes.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey() + ".class"));
                j.write(e.getValue());
                j.closeEntry();
            }
            for (var e : resources.entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey()));
                j.write(e.getValue());
                j.closeEntry();
            }
        }
        return jar;
    }
}
