package dev.jdm.host.module.mutation;

import dev.jdm.symvers.TestCompiler;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The truth about one module binary against one ABI: does the binary, built against the original
 * ABI, still link and behave against the mutated one? Established by running the JVM, not by a
 * table: the module's classes are defined and initialised next to the mutated ABI, every ABI
 * member they reference is resolved, every method it must implement and every hook it overrides
 * is looked for, its own {@code probe()} is run against both ABIs, and its source is compiled
 * again against the mutated ABI to see whether javac would now produce other bytes (inlined
 * constants leave no other trace).
 */
final class LinkageOracle {
    private final Map<String, byte[]> originalAbi;
    private final Map<String, String> sources;
    private final Map<String, byte[]> module;

    LinkageOracle(Map<String, byte[]> originalAbi, Map<String, String> sources, Map<String, byte[]> module) {
        this.originalAbi = originalAbi;
        this.sources = sources;
        this.module = module;
    }

    /** Why the module breaks against {@code mutatedAbi}, or empty if it still links and behaves. */
    Optional<String> breaksAgainst(Map<String, byte[]> mutatedAbi, Path work) throws IOException {
        ClassLoader before = loader(originalAbi);
        ClassLoader after = loader(mutatedAbi);
        for (String name : module.keySet()) {
            String binary = name.replace('/', '.');
            try {
                Class<?> cls = Class.forName(binary, true, after);
                Optional<String> r = resolveReferences(name, after);
                if (r.isEmpty()) {
                    r = unimplemented(cls);
                }
                if (r.isEmpty()) {
                    r = lostOverrides(binary, before, after);
                }
                if (r.isPresent()) {
                    return r;
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.of("defining " + binary + ": " + e);
            }
        }
        Optional<String> probe = probeDiffers(before, after);
        return probe.isPresent() ? probe : recompiledDiffers(mutatedAbi, work);
    }

    private ClassLoader loader(Map<String, byte[]> abi) {
        Map<String, byte[]> all = new HashMap<>(abi);
        all.putAll(module);
        return new ClassLoader("oracle", ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] b = all.get(name.replace('.', '/'));
                if (b == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, b, 0, b.length);
            }
        };
    }

    /** Every ABI member the class references, resolved as the JVM would (declaring class, then supertypes). */
    private Optional<String> resolveReferences(String internalName, ClassLoader after) {
        var model = ClassFile.of().parse(module.get(internalName));
        for (var entry : model.constantPool()) {
            if (!(entry instanceof MemberRefEntry ref) || !ref.owner().asInternalName().startsWith("dev/jdm/abi/")) {
                continue;
            }
            String owner = ref.owner().asInternalName().replace('/', '.');
            String what = owner + "#" + ref.name().stringValue() + ref.type().stringValue();
            try {
                Class<?> cls = Class.forName(owner, false, after);
                boolean found = ref instanceof FieldRefEntry ? field(cls, ref.name().stringValue(), ref.type().stringValue())
                        : method(cls, ref.name().stringValue(), ref.type().stringValue());
                if (!found) {
                    return Optional.of("unresolved " + what);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                return Optional.of("unresolved " + what + ": " + e);
            }
        }
        return Optional.empty();
    }

    private static boolean method(Class<?> cls, String name, String desc) {
        for (Class<?> c : hierarchy(cls)) {
            if (name.equals("<init>")) {
                if (c == cls && Arrays.stream(c.getDeclaredConstructors()).anyMatch(k -> descriptor(k.getParameterTypes(), void.class).equals(desc))) {
                    return true;
                }
                continue;
            }
            if (Arrays.stream(c.getDeclaredMethods()).anyMatch(m -> m.getName().equals(name)
                    && descriptor(m.getParameterTypes(), m.getReturnType()).equals(desc))) {
                return true;
            }
        }
        return false;
    }

    private static boolean field(Class<?> cls, String name, String desc) {
        return hierarchy(cls).stream().anyMatch(c -> Arrays.stream(c.getDeclaredFields())
                .anyMatch(f -> f.getName().equals(name) && f.getType().descriptorString().equals(desc)));
    }

    /** A concrete class with an abstract method left: the host's call would throw AbstractMethodError. */
    private static Optional<String> unimplemented(Class<?> cls) {
        if (cls.isInterface() || Modifier.isAbstract(cls.getModifiers())) {
            return Optional.empty();
        }
        return Arrays.stream(cls.getMethods()).filter(m -> Modifier.isAbstract(m.getModifiers())).findFirst()
                .map(m -> cls.getName() + " does not implement " + m);
    }

    /** A method that overrode an ABI method before and overrides nothing now: it would never be called. */
    private Optional<String> lostOverrides(String binary, ClassLoader before, ClassLoader after) throws ClassNotFoundException {
        Class<?> old = Class.forName(binary, false, before);
        Class<?> now = Class.forName(binary, false, after);
        for (Method m : old.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || overridden(old, m).isEmpty()) {
                continue;
            }
            Method mine = Arrays.stream(now.getDeclaredMethods()).filter(x -> x.getName().equals(m.getName())
                    && descriptor(x.getParameterTypes(), x.getReturnType()).equals(descriptor(m.getParameterTypes(), m.getReturnType())))
                    .findFirst().orElseThrow();
            if (overridden(now, mine).isEmpty()) {
                return Optional.of(binary + "#" + m.getName() + " overrode " + overridden(old, m).get() + " and overrides nothing now");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> overridden(Class<?> cls, Method m) {
        for (Class<?> c : hierarchy(cls)) {
            if (c == cls || !c.getName().startsWith("dev.jdm.abi.")) {
                continue;
            }
            for (Method s : c.getDeclaredMethods()) {
                if (s.getName().equals(m.getName()) && Arrays.equals(s.getParameterTypes(), m.getParameterTypes())) {
                    return Optional.of(c.getName() + "#" + s.getName());
                }
            }
        }
        return Optional.empty();
    }

    /** The module's own test, {@code static String probe()} on any of its classes, run against both ABIs. */
    private Optional<String> probeDiffers(ClassLoader before, ClassLoader after) {
        for (String name : module.keySet()) {
            String binary = name.replace('/', '.');
            String a;
            String b;
            try {
                Method p = Class.forName(binary, true, before).getDeclaredMethod("probe");
                p.setAccessible(true);
                a = String.valueOf(p.invoke(null));
            } catch (NoSuchMethodException none) {
                continue;
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("probe of " + binary + " fails against the original ABI", e);
            }
            try {
                Method p = Class.forName(binary, true, after).getDeclaredMethod("probe");
                p.setAccessible(true);
                b = String.valueOf(p.invoke(null));
            } catch (ReflectiveOperationException | LinkageError e) {
                return Optional.of("probe of " + binary + " fails: " + (e.getCause() == null ? e : e.getCause()));
            }
            if (!a.equals(b)) {
                return Optional.of("probe of " + binary + " says " + b + ", was " + a);
            }
        }
        return Optional.empty();
    }

    /** javac, given the mutated ABI, writes other bytes: the old binary carries what changed (an inlined constant). */
    private Optional<String> recompiledDiffers(Map<String, byte[]> mutatedAbi, Path work) throws IOException {
        Path dir = Files.createTempDirectory(work, "abi");
        for (var e : mutatedAbi.entrySet()) {
            Path f = dir.resolve(e.getKey() + ".class");
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
        }
        TestCompiler c = new TestCompiler().classpath(dir);
        sources.forEach(c::source);
        Map<String, byte[]> again;
        try {
            again = c.compile();
        } catch (IllegalStateException sourceIncompatible) {
            return Optional.empty(); // source compatibility is not the question: the binary's is
        }
        List<String> differ = new ArrayList<>();
        module.forEach((k, v) -> {
            if (!Arrays.equals(v, again.get(k))) {
                differ.add(k);
            }
        });
        return differ.isEmpty() ? Optional.empty() : Optional.of("recompiled, " + differ + " would differ");
    }

    private static List<Class<?>> hierarchy(Class<?> cls) {
        List<Class<?>> out = new ArrayList<>();
        List<Class<?>> queue = new ArrayList<>(List.of(cls));
        while (!queue.isEmpty()) {
            Class<?> c = queue.removeFirst();
            if (c == null || out.contains(c)) {
                continue;
            }
            out.add(c);
            queue.add(c.getSuperclass());
            queue.addAll(List.of(c.getInterfaces()));
        }
        return out;
    }

    private static String descriptor(Class<?>[] params, Class<?> ret) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : params) {
            sb.append(p.descriptorString());
        }
        return sb.append(')').append(ret.descriptorString()).toString();
    }
}
