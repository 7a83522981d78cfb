package dev.jdm.gate.schema;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The schema's names for the Java types a call record may hold. */
final class Types {
    private Types() {}

    /**
     * The type's schema name: bool, int32, int64, double, string, bytes, a record's simple name,
     * {@code list<T>} or {@code enum(A|B)}.
     *
     * @throws IllegalArgumentException naming {@code where} for anything else
     */
    static String name(Type t, String where) {
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            return "list<" + name(p.getActualTypeArguments()[0], where) + ">";
        }
        if (t instanceof Class<?> c) {
            if (c == boolean.class || c == Boolean.class) {
                return "bool";
            }
            if (c == int.class || c == Integer.class || c == short.class || c == byte.class) {
                return "int32";
            }
            if (c == long.class || c == Long.class) {
                return "int64";
            }
            if (c == double.class || c == Double.class || c == float.class) {
                return "double";
            }
            if (c == String.class) {
                return "string";
            }
            if (c == byte[].class) {
                return "bytes";
            }
            if (c.isEnum()) {
                // the constants' fields, not getEnumConstants(): naming them must not initialize the enum, which would run
                // its module's code (the host derives the schema of a driver in an isolated domain from the JAR's classes)
                return Arrays.stream(c.getDeclaredFields()).filter(java.lang.reflect.Field::isEnumConstant).map(java.lang.reflect.Field::getName)
                        .collect(Collectors.joining("|", "enum(", ")"));
            }
            if (c.isRecord()) {
                return c.getSimpleName();
            }
        }
        throw new IllegalArgumentException(where + ": " + t.getTypeName()
                + " cannot be carried (bool, int, long, double, String, byte[], an enum, a record or a List of them)");
    }

    /** The records a component's type names directly (itself, or a list's element). */
    static List<Class<?>> records(Type t) {
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            return records(p.getActualTypeArguments()[0]);
        }
        return t instanceof Class<?> c && c.isRecord() ? List.of(c) : List.of();
    }
}
