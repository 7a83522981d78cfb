package dev.jdm.gate.schema;

import com.google.protobuf.ByteString;
import dev.jdm.gate.proto.DevList;
import dev.jdm.gate.proto.DevRecord;
import dev.jdm.gate.proto.DevValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Records to {@link DevValue}s and back. Reading is strict: a missing or unknown field, a value of
 * the wrong kind or out of range is refused naming its path ({@code args.key.code}), so a bad
 * argument never reaches a driver.
 */
public final class Values {
    private Values() {}

    /** The wire value of {@code value}, a record, list or scalar the schema allows. */
    public static DevValue of(Object value) {
        DevValue.Builder b = DevValue.newBuilder();
        switch (value) {
            case null -> throw new IllegalArgumentException("null cannot be carried");
            case Boolean v -> b.setBoolValue(v);
            case Integer v -> b.setIntValue(v);
            case Long v -> b.setIntValue(v);
            case Short v -> b.setIntValue(v);
            case Byte v -> b.setIntValue(v);
            case Double v -> b.setDoubleValue(v);
            case Float v -> b.setDoubleValue(v);
            case String v -> b.setStringValue(v);
            case byte[] v -> b.setBytesValue(ByteString.copyFrom(v));
            case Enum<?> v -> b.setStringValue(v.name());
            case List<?> l -> {
                DevList.Builder lb = DevList.newBuilder();
                l.forEach(x -> lb.addItems(of(x)));
                b.setListValue(lb);
            }
            case Record r -> {
                DevRecord.Builder rb = DevRecord.newBuilder();
                for (RecordComponent rc : r.getClass().getRecordComponents()) {
                    try {
                        rb.putFields(rc.getName(), of(rc.getAccessor().invoke(r)));
                    } catch (IllegalAccessException | InvocationTargetException e) {
                        throw new IllegalArgumentException(r.getClass().getSimpleName() + "." + rc.getName() + " cannot be read: " + e);
                    }
                }
                b.setRecordValue(rb);
            }
            default -> throw new IllegalArgumentException(value.getClass().getName() + " cannot be carried");
        }
        return b.build();
    }

    /**
     * The Java value of {@code v} as type {@code t}.
     *
     * @param path what the value is, for the message ({@code args})
     * @throws IllegalArgumentException naming the path and what was wrong
     */
    public static Object read(DevValue v, Type t, String path) {
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            if (!v.hasListValue()) {
                throw wrong(path, "a list", v);
            }
            List<Object> out = new ArrayList<>();
            List<DevValue> items = v.getListValue().getItemsList();
            for (int i = 0; i < items.size(); i++) {
                out.add(read(items.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]"));
            }
            return List.copyOf(out);
        }
        Class<?> c = (Class<?>) t;
        if (c == boolean.class || c == Boolean.class) {
            if (v.getKindCase() != DevValue.KindCase.BOOL_VALUE) {
                throw wrong(path, "a bool", v);
            }
            return v.getBoolValue();
        }
        if (c == int.class || c == Integer.class) {
            return (int) integer(v, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int32");
        }
        if (c == short.class) {
            return (short) integer(v, path, Short.MIN_VALUE, Short.MAX_VALUE, "an int32 in the range of a short");
        }
        if (c == byte.class) {
            return (byte) integer(v, path, Byte.MIN_VALUE, Byte.MAX_VALUE, "an int32 in the range of a byte");
        }
        if (c == long.class || c == Long.class) {
            return integer(v, path, Long.MIN_VALUE, Long.MAX_VALUE, "an int64");
        }
        if (c == double.class || c == Double.class || c == float.class) {
            double d = switch (v.getKindCase()) {
                case DOUBLE_VALUE -> v.getDoubleValue();
                case INT_VALUE -> v.getIntValue();
                default -> throw wrong(path, "a double", v);
            };
            return c == float.class ? (Object) (float) d : (Object) d;
        }
        if (c == String.class) {
            if (!v.hasStringValue()) {
                throw wrong(path, "a string", v);
            }
            return v.getStringValue();
        }
        if (c == byte[].class) {
            return switch (v.getKindCase()) {
                case BYTES_VALUE -> v.getBytesValue().toByteArray();
                case STRING_VALUE -> base64(v.getStringValue(), path); // JSON clients send bytes as base64
                default -> throw wrong(path, "bytes", v);
            };
        }
        if (c.isEnum()) {
            return enumValue(c, v, path);
        }
        if (c.isRecord()) {
            return record(c, v, path);
        }
        throw new IllegalArgumentException(path + ": " + c.getName() + " cannot be carried");
    }

    private static Object record(Class<?> c, DevValue v, String path) {
        if (!v.hasRecordValue()) {
            throw wrong(path, "a record " + c.getSimpleName(), v);
        }
        Map<String, DevValue> fields = v.getRecordValue().getFieldsMap();
        RecordComponent[] rcs = c.getRecordComponents();
        Object[] args = new Object[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            DevValue f = fields.get(rcs[i].getName());
            if (f == null) {
                throw new IllegalArgumentException(path + "." + rcs[i].getName() + ": missing (" + c.getSimpleName() + " has "
                        + java.util.Arrays.stream(rcs).map(RecordComponent::getName).toList() + ")");
            }
            args[i] = read(f, rcs[i].getGenericType(), path + "." + rcs[i].getName());
            types[i] = rcs[i].getType();
        }
        for (String k : fields.keySet()) {
            if (java.util.Arrays.stream(rcs).noneMatch(rc -> rc.getName().equals(k))) {
                throw new IllegalArgumentException(path + "." + k + ": " + c.getSimpleName() + " has no such field");
            }
        }
        try {
            Constructor<?> k = c.getDeclaredConstructor(types);
            k.setAccessible(true);
            return k.newInstance(args);
        } catch (InvocationTargetException e) {
            // the record's own check refused the value: that is the caller's bad argument
            throw new IllegalArgumentException(path + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(path + ": cannot build a " + c.getSimpleName() + ": " + e);
        }
    }

    private static Object enumValue(Class<?> c, DevValue v, String path) {
        if (!v.hasStringValue()) {
            throw wrong(path, "one of " + Types.name(c, path), v);
        }
        for (Object e : c.getEnumConstants()) {
            if (((Enum<?>) e).name().equals(v.getStringValue())) {
                return e;
            }
        }
        throw new IllegalArgumentException(path + ": \"" + v.getStringValue() + "\" is not one of " + Types.name(c, path));
    }

    private static long integer(DevValue v, String path, long min, long max, String what) {
        if (v.getKindCase() == DevValue.KindCase.DOUBLE_VALUE && v.getDoubleValue() == Math.rint(v.getDoubleValue())
                && Math.abs(v.getDoubleValue()) < 0x1p53) {
            return range((long) v.getDoubleValue(), path, min, max, what);
        }
        if (v.getKindCase() != DevValue.KindCase.INT_VALUE) {
            throw wrong(path, what, v);
        }
        return range(v.getIntValue(), path, min, max, what);
    }

    private static long range(long n, String path, long min, long max, String what) {
        if (n < min || n > max) {
            throw new IllegalArgumentException(path + ": " + n + " is out of range for " + what);
        }
        return n;
    }

    private static byte[] base64(String s, String path) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": bytes must be base64: " + e.getMessage());
        }
    }

    private static IllegalArgumentException wrong(String path, String expected, DevValue v) {
        String got = switch (v.getKindCase()) {
            case BOOL_VALUE -> "a bool";
            case INT_VALUE -> "an integer";
            case DOUBLE_VALUE -> "a number";
            case STRING_VALUE -> "a string";
            case BYTES_VALUE -> "bytes";
            case RECORD_VALUE -> "a record";
            case LIST_VALUE -> "a list";
            case KIND_NOT_SET -> "nothing";
        };
        return new IllegalArgumentException(path + ": expected " + expected + ", got " + got);
    }
}
