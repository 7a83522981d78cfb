package dev.jdm.symvers;

import java.util.List;
import java.util.Optional;

/**
 * What a class file says about a type, reduced to what linking and fingerprints need.
 *
 * @param name binary name ({@code a.b.C$D})
 * @param kind class, interface, record, enum or annotation
 * @param role provided, implemented, or opaque
 * @param isFinal declared final
 * @param isSealed has permitted subclasses
 * @param isPublic declared public
 * @param superName binary name of the superclass, or {@code null}
 * @param interfaces binary names of the direct superinterfaces
 * @param fields declared fields
 * @param methods declared methods and constructors
 * @param components record components, in order
 * @param exported carries {@code @Export} (module types only)
 * @param isModuleEntry carries {@code @DriverModule}
 * @param generation the {@code @Since} generation, or {@code null}
 */
public record TypeInfo(
        String name,
        TypeKind kind,
        TypeRole role,
        boolean isFinal,
        boolean isSealed,
        boolean isPublic,
        String superName,
        List<String> interfaces,
        List<FieldInfo> fields,
        List<MethodInfo> methods,
        List<Component> components,
        boolean exported,
        boolean isModuleEntry,
        String generation) {

    /**
     * A declared field.
     *
     * @param constant the compile-time constant value as canonical text, or {@code null}
     */
    public record FieldInfo(String name, String descriptor, String signature, boolean isStatic, boolean visible,
            boolean isEnumConstant, String constant, String generation) {}

    /** A declared method or constructor. */
    public record MethodInfo(String name, String descriptor, String signature, boolean isStatic,
            boolean isAbstract, boolean visible, boolean isSynthetic, String generation) {}

    /** A record component. */
    public record Component(String name, String descriptor, String signature) {}

    /** The declared method with this name and descriptor. */
    public Optional<MethodInfo> method(String methodName, String descriptor) {
        return methods.stream().filter(m -> m.name().equals(methodName) && m.descriptor().equals(descriptor)).findFirst();
    }

    /** The declared field with this name and descriptor. */
    public Optional<FieldInfo> field(String fieldName, String descriptor) {
        return fields.stream().filter(f -> f.name().equals(fieldName) && f.descriptor().equals(descriptor)).findFirst();
    }

    /** Internal name ({@code a/b/C$D}). */
    public String internalName() {
        return name.replace('.', '/');
    }

    /** Package in binary form ({@code a.b}). */
    public String packageName() {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }
}
