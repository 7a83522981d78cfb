package dev.jdm.gate.schema;

import dev.jdm.gate.proto.DevField;
import dev.jdm.gate.proto.DevMethod;
import dev.jdm.gate.proto.DevSchema;
import dev.jdm.gate.proto.DevType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The language-neutral schema of a typed call interface, derived from the Java interface alone, so
 * that the host (from the driver's interface) and a client (from its copy) derive the same
 * fingerprints. A method's fingerprint covers its name and the shapes of its records (field names
 * and types, in order), never its errors or the interface's version: those are for people, and a
 * client built against either shape still means the same bytes.
 */
public final class CallSchema {
    private final Class<?> api;
    private final Map<String, Method> methods = new LinkedHashMap<>();
    private final Map<String, String> fingerprints = new LinkedHashMap<>();
    private final Map<String, List<String>> definitions = new LinkedHashMap<>();

    private CallSchema(Class<?> api) {
        this.api = api;
    }

    /**
     * Derives the schema of {@code api}.
     *
     * @throws IllegalArgumentException naming the method or component that cannot be carried
     */
    public static CallSchema of(Class<?> api) {
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api.getName() + " is not an interface");
        }
        CallSchema s = new CallSchema(api);
        List<Method> ms = Arrays.stream(api.getMethods())
                .filter(m -> !m.isDefault() && !Modifier.isStatic(m.getModifiers()))
                .sorted(Comparator.comparing(Method::getName)).toList();
        if (ms.isEmpty()) {
            throw new IllegalArgumentException(api.getName() + " declares no calls");
        }
        for (Method m : ms) {
            if (s.methods.putIfAbsent(m.getName(), m) != null) {
                throw new IllegalArgumentException(api.getSimpleName() + "." + m.getName() + " is overloaded; each call needs its own name");
            }
            s.definitions.put(m.getName(), s.define(m));
            s.fingerprints.put(m.getName(), fingerprint(s.definitions.get(m.getName())));
        }
        return s;
    }

    private List<String> define(Method m) {
        String where = api.getSimpleName() + "." + m.getName();
        if (m.getParameterCount() > 1) {
            throw new IllegalArgumentException(where + " takes " + m.getParameterCount() + " parameters; a call takes one record or none");
        }
        Class<?> in = m.getParameterCount() == 0 ? null : m.getParameterTypes()[0];
        Class<?> out = m.getReturnType() == void.class ? null : m.getReturnType();
        for (Class<?> c : new Class<?>[] {in, out}) {
            if (c != null && !c.isRecord()) {
                throw new IllegalArgumentException(where + ": " + c.getName() + " is not a record; calls take and return records");
            }
        }
        Map<Class<?>, List<String>> types = new LinkedHashMap<>();
        if (in != null) {
            collect(in, types, where);
        }
        if (out != null) {
            collect(out, types, where);
        }
        List<String> lines = new ArrayList<>();
        lines.add("call " + m.getName());
        lines.add("in " + (in == null ? "-" : in.getSimpleName()));
        lines.add("out " + (out == null ? "-" : out.getSimpleName()));
        types.forEach((t, fields) -> {
            lines.add("type " + t.getSimpleName());
            fields.forEach(f -> lines.add("field " + f));
        });
        return lines;
    }

    private static void collect(Class<?> record, Map<Class<?>, List<String>> types, String where) {
        if (types.containsKey(record)) {
            return;
        }
        List<String> fields = new ArrayList<>();
        types.put(record, fields);
        for (RecordComponent rc : record.getRecordComponents()) {
            String t = Types.name(rc.getGenericType(), where + ": " + record.getSimpleName() + "." + rc.getName());
            fields.add(rc.getName() + " " + t);
            Types.records(rc.getGenericType()).forEach(r -> collect(r, types, where));
        }
    }

    /** The first 8 bytes of SHA-256 over the definition's lines, as 16 hex digits (as the ABI's symbols). */
    static String fingerprint(List<String> lines) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The interface. */
    public Class<?> api() {
        return api;
    }

    /** The method named {@code name}, if the interface declares it. */
    public java.util.Optional<Method> method(String name) {
        return java.util.Optional.ofNullable(methods.get(name));
    }

    /** The method names, sorted. */
    public List<String> methodNames() {
        return List.copyOf(methods.keySet());
    }

    /** A method's fingerprint. */
    public String fingerprint(String method) {
        return fingerprints.get(method);
    }

    /** The fingerprint over every method. */
    public String fingerprint() {
        List<String> all = new ArrayList<>();
        fingerprints.forEach((m, f) -> all.add(m + " " + f));
        return fingerprint(all);
    }

    /** A method's canonical definition, one fact per line (to explain a mismatch). */
    public List<String> definition(String method) {
        return definitions.get(method);
    }

    /**
     * The schema on the wire.
     *
     * @param version the interface's version, for people
     * @param errors the errno names each method declares
     */
    public DevSchema toProto(int version, Function<Method, List<String>> errors) {
        DevSchema.Builder b = DevSchema.newBuilder().setInterface(api.getSimpleName()).setVersion(version).setFingerprint(fingerprint());
        Map<Class<?>, List<String>> types = new LinkedHashMap<>();
        for (Method m : methods.values()) {
            DevMethod.Builder mb = DevMethod.newBuilder().setName(m.getName()).setFingerprint(fingerprint(m.getName()))
                    .addAllErrors(errors.apply(m));
            if (m.getParameterCount() == 1) {
                mb.setInput(m.getParameterTypes()[0].getSimpleName());
                collect(m.getParameterTypes()[0], types, m.getName());
            }
            if (m.getReturnType() != void.class) {
                mb.setOutput(m.getReturnType().getSimpleName());
                collect(m.getReturnType(), types, m.getName());
            }
            b.addMethods(mb);
        }
        types.forEach((t, fields) -> {
            DevType.Builder tb = DevType.newBuilder().setName(t.getSimpleName());
            for (String f : fields) {
                int sp = f.indexOf(' ');
                tb.addFields(DevField.newBuilder().setName(f.substring(0, sp)).setType(f.substring(sp + 1)));
            }
            b.addTypes(tb);
        });
        return b.build();
    }
}
