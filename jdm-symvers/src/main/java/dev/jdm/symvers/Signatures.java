package dev.jdm.symvers;

import java.lang.classfile.ClassSignature;
import java.lang.classfile.MethodSignature;
import java.lang.classfile.Signature;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.util.LinkedHashSet;
import java.util.Set;

/** The reference types a descriptor or generic signature names, as binary names. */
public final class Signatures {
    private Signatures() {}

    /** Types named by a field or method descriptor (arrays reduced to their element type). */
    public static Set<String> typesOfDescriptor(String descriptor) {
        Set<String> out = new LinkedHashSet<>();
        try {
            if (descriptor.startsWith("(")) {
                MethodTypeDesc mt = MethodTypeDesc.ofDescriptor(descriptor);
                addDesc(mt.returnType(), out);
                for (ClassDesc p : mt.parameterList()) {
                    addDesc(p, out);
                }
            } else {
                addDesc(ClassDesc.ofDescriptor(descriptor), out);
            }
        } catch (IllegalArgumentException e) {
            throw new SymversException("malformed descriptor " + descriptor);
        }
        return out;
    }

    /** Types named by a generic signature of a field, method or class; empty text gives none. */
    public static Set<String> typesOfSignature(String signature) {
        Set<String> out = new LinkedHashSet<>();
        if (signature == null || signature.isEmpty()) {
            return out;
        }
        try {
            if (signature.startsWith("(") || (signature.startsWith("<") && signature.contains(">("))) {
                MethodSignature ms = MethodSignature.parseFrom(signature);
                ms.typeParameters().forEach(tp -> addTypeParam(tp, out));
                ms.arguments().forEach(a -> addSig(a, out));
                addSig(ms.result(), out);
                ms.throwableSignatures().forEach(t -> addSig(t, out));
            } else if (signature.startsWith("<") || isClassSignature(signature)) {
                ClassSignature cs = ClassSignature.parseFrom(signature);
                cs.typeParameters().forEach(tp -> addTypeParam(tp, out));
                addSig(cs.superclassSignature(), out);
                cs.superinterfaceSignatures().forEach(s -> addSig(s, out));
            } else {
                addSig(Signature.parseFrom(signature), out);
            }
        } catch (IllegalArgumentException e) {
            throw new SymversException("malformed generic signature " + signature);
        }
        return out;
    }

    private static boolean isClassSignature(String signature) {
        // A class signature is a superclass signature followed by interface signatures: "L...;L...;".
        int depth = 0;
        for (int i = 0; i < signature.length(); i++) {
            char c = signature.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ';' && depth == 0) {
                return i < signature.length() - 1;
            }
        }
        return false;
    }

    private static void addDesc(ClassDesc desc, Set<String> out) {
        ClassDesc d = desc;
        while (d.isArray()) {
            d = d.componentType();
        }
        if (d.isClassOrInterface()) {
            String s = d.descriptorString();
            out.add(s.substring(1, s.length() - 1).replace('/', '.'));
        }
    }

    private static void addTypeParam(Signature.TypeParam tp, Set<String> out) {
        tp.classBound().ifPresent(b -> addSig(b, out));
        tp.interfaceBounds().forEach(b -> addSig(b, out));
    }

    private static void addSig(Signature sig, Set<String> out) {
        switch (sig) {
            case Signature.ClassTypeSig c -> {
                c.outerType().ifPresent(o -> addSig(o, out));
                out.add(c.className().replace('/', '.'));
                for (Signature.TypeArg arg : c.typeArgs()) {
                    if (arg instanceof Signature.TypeArg.Bounded b) {
                        addSig(b.boundType(), out);
                    }
                }
            }
            case Signature.ArrayTypeSig a -> addSig(a.componentSignature(), out);
            default -> { } // base types and type variables name no class
        }
    }
}
