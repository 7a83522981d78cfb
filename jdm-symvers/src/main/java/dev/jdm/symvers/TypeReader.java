package dev.jdm.symvers;

import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationValue;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.RuntimeVisibleAnnotationsAttribute;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.ConstantValueEntry;
import java.lang.classfile.constantpool.StringEntry;
import java.lang.reflect.AccessFlag;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a class file into a {@link TypeInfo} with {@code java.lang.classfile}. */
public final class TypeReader {
    static final String PROVIDED = "Ldev/jdm/abi/Provided;";
    static final String IMPLEMENTED = "Ldev/jdm/abi/Implemented;";
    static final String SINCE = "Ldev/jdm/abi/Since;";
    static final String EXPORT = "Ldev/jdm/abi/Export;";
    /** The entry-class annotation since JDM_1.1. */
    static final String DRIVER_MODULE = "Ldev/jdm/abi/DriverModule;";
    /** The JDM_1.0 entry-class annotation, deprecated: its name clashes with java.lang.Module. */
    static final String MODULE = "Ldev/jdm/abi/Module;";

    private TypeReader() {}

    /**
     * Parses one class file.
     *
     * @throws SymversException naming {@code origin} if the bytes are not a valid class file
     */
    public static TypeInfo read(byte[] bytes, String origin) {
        return read(parse(bytes, origin));
    }

    /** Parses bytes into a class model, turning the API's errors into one that names the origin. */
    public static ClassModel parse(byte[] bytes, String origin) {
        try {
            return ClassFile.of().parse(bytes);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | UnsupportedOperationException e) {
            throw new SymversException(origin + ": not a valid class file (" + e.getMessage() + ")");
        }
    }

    /** Reduces a parsed class to a {@link TypeInfo}. */
    public static TypeInfo read(ClassModel model) {
        try {
            return reduce(model);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | UnsupportedOperationException e) {
            throw new SymversException(model.thisClass().asInternalName() + ": malformed class file (" + e.getMessage() + ")");
        }
    }

    private static TypeInfo reduce(ClassModel model) {
        var flags = model.flags();
        List<Annotation> annotations = annotations(model.findAttribute(Attributes.runtimeVisibleAnnotations()));
        TypeKind kind = kindOf(model);
        TypeRole role = has(annotations, IMPLEMENTED) ? TypeRole.IMPLEMENTED
                : has(annotations, PROVIDED) ? TypeRole.PROVIDED : TypeRole.OPAQUE;
        boolean exported = has(annotations, EXPORT);
        if (exported && role == TypeRole.OPAQUE) {
            role = TypeRole.PROVIDED; // exported module types are provided unless marked implemented
        }
        List<TypeInfo.FieldInfo> fields = new ArrayList<>();
        for (FieldModel f : model.fields()) {
            fields.add(field(f));
        }
        List<TypeInfo.MethodInfo> methods = new ArrayList<>();
        for (MethodModel m : model.methods()) {
            methods.add(method(m));
        }
        List<TypeInfo.Component> components = model.findAttribute(Attributes.record())
                .map(r -> r.components().stream()
                        .map(c -> new TypeInfo.Component(c.name().stringValue(), c.descriptor().stringValue(),
                                c.findAttribute(Attributes.signature()).map(s -> s.signature().stringValue()).orElse("")))
                        .toList())
                .orElse(List.of());
        return new TypeInfo(
                binary(model.thisClass()),
                kind,
                role,
                flags.has(AccessFlag.FINAL),
                model.findAttribute(Attributes.permittedSubclasses()).isPresent(),
                flags.has(AccessFlag.PUBLIC),
                model.superclass().map(TypeReader::binary).orElse(null),
                model.interfaces().stream().map(TypeReader::binary).toList(),
                List.copyOf(fields),
                List.copyOf(methods),
                components,
                exported,
                isEntry(annotations),
                since(annotations));
    }

    private static TypeKind kindOf(ClassModel model) {
        var flags = model.flags();
        if (flags.has(AccessFlag.ANNOTATION)) {
            return TypeKind.ANNOTATION;
        }
        if (flags.has(AccessFlag.INTERFACE)) {
            return TypeKind.INTERFACE;
        }
        if (flags.has(AccessFlag.ENUM)) {
            return TypeKind.ENUM;
        }
        if (model.findAttribute(Attributes.record()).isPresent()) {
            return TypeKind.RECORD;
        }
        return TypeKind.CLASS;
    }

    private static TypeInfo.FieldInfo field(FieldModel f) {
        var flags = f.flags();
        String constant = f.findAttribute(Attributes.constantValue())
                .map(cv -> constantText(cv.constant()))
                .orElse(null);
        return new TypeInfo.FieldInfo(
                f.fieldName().stringValue(),
                f.fieldType().stringValue(),
                f.findAttribute(Attributes.signature()).map(s -> s.signature().stringValue()).orElse(""),
                flags.has(AccessFlag.STATIC),
                flags.has(AccessFlag.PUBLIC) || flags.has(AccessFlag.PROTECTED),
                flags.has(AccessFlag.ENUM),
                constant,
                since(annotations(f.findAttribute(Attributes.runtimeVisibleAnnotations()))));
    }

    private static TypeInfo.MethodInfo method(MethodModel m) {
        var flags = m.flags();
        return new TypeInfo.MethodInfo(
                m.methodName().stringValue(),
                m.methodType().stringValue(),
                m.findAttribute(Attributes.signature()).map(s -> s.signature().stringValue()).orElse(""),
                flags.has(AccessFlag.STATIC),
                flags.has(AccessFlag.ABSTRACT),
                flags.has(AccessFlag.PUBLIC) || flags.has(AccessFlag.PROTECTED),
                flags.has(AccessFlag.SYNTHETIC) || flags.has(AccessFlag.BRIDGE),
                since(annotations(m.findAttribute(Attributes.runtimeVisibleAnnotations()))));
    }

    /** Constant values in a form that tells types apart: javac inlines them into modules. */
    private static String constantText(ConstantValueEntry entry) {
        if (entry instanceof StringEntry s) {
            return "\"" + s.stringValue().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        }
        Object v = entry.constantValue();
        return switch (v) {
            case Float fl -> "float:" + Integer.toHexString(Float.floatToRawIntBits(fl));
            case Double d -> "double:" + Long.toHexString(Double.doubleToRawLongBits(d));
            case Long l -> "long:" + l;
            default -> String.valueOf(v);
        };
    }

    static List<Annotation> annotations(Optional<RuntimeVisibleAnnotationsAttribute> attribute) {
        return attribute.map(RuntimeVisibleAnnotationsAttribute::annotations).orElse(List.of());
    }

    /** Whether the annotations mark a module's entry class (either generation's annotation). */
    static boolean isEntry(List<Annotation> annotations) {
        return has(annotations, DRIVER_MODULE) || has(annotations, MODULE);
    }

    static boolean has(List<Annotation> annotations, String descriptor) {
        return annotations.stream().anyMatch(a -> a.className().stringValue().equals(descriptor));
    }

    private static String since(List<Annotation> annotations) {
        for (Annotation a : annotations) {
            if (a.className().stringValue().equals(SINCE)) {
                for (var element : a.elements()) {
                    if (element.name().stringValue().equals("value") && element.value() instanceof AnnotationValue.OfString s) {
                        return s.stringValue();
                    }
                }
            }
        }
        return null;
    }

    static String binary(ClassEntry entry) {
        return entry.asInternalName().replace('/', '.');
    }
}
