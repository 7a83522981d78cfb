package dev.jdm.symvers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Which symbols a set of types exports: the types and their public and protected members. */
public final class Exports {
    private Exports() {}

    /** The exported symbols of these types, sorted. */
    public static List<Symbol> symbolsOf(Collection<TypeInfo> types) {
        List<Symbol> out = new ArrayList<>();
        for (TypeInfo t : types) {
            out.add(Symbol.type(t.name()));
            for (TypeInfo.MethodInfo m : t.methods()) {
                if (m.visible() && !m.isSynthetic() && !m.name().equals("<clinit>")) {
                    out.add(Symbol.method(t.name(), m.name(), m.descriptor()));
                }
            }
            for (TypeInfo.FieldInfo f : t.fields()) {
                if (f.visible()) {
                    out.add(Symbol.field(t.name(), f.name(), f.descriptor()));
                }
            }
        }
        out.sort(null);
        return out;
    }
}
