package dev.jdm.host.domain;

import dev.jdm.abi.sec.TaskCred;
import dev.jdm.isolation.channel.ControlChannelException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The security hooks' arguments on the control channel: a task's credentials and the hooks' ABI
 * records ({@code SysctlWrite}, {@code DevOpen}, ...), written component by component in
 * declaration order. The records hold only strings, ints, longs, booleans, enums, string maps and
 * integer lists, so one generic codec covers every hook, and a hook added to the ABI needs no
 * codec of its own. The reader refuses what is out of range, as for every frame.
 */
public final class SecurityWire {
    private static final int MAX_ENTRIES = 256;

    private SecurityWire() {}

    public static DomainProtocol.Writer task(DomainProtocol.Writer w, TaskCred t) {
        return record(w, t);
    }

    public static TaskCred task(DomainProtocol.Reader in) throws ControlChannelException {
        return record(in, TaskCred.class);
    }

    /** Writes {@code r}'s components in order. */
    public static DomainProtocol.Writer record(DomainProtocol.Writer w, Record r) {
        try {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                write(w, c.getType(), c.getAccessor().invoke(r));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + ": " + e, e);
        }
        return w;
    }

    @SuppressWarnings("unchecked")
    private static void write(DomainProtocol.Writer w, Class<?> type, Object v) {
        if (type == String.class) {
            w.b(v != null).message(v == null ? "" : (String) v);
        } else if (type == int.class) {
            w.i((Integer) v);
        } else if (type == long.class) {
            w.l((Long) v);
        } else if (type == boolean.class) {
            w.b((Boolean) v);
        } else if (type.isEnum()) {
            w.i(((Enum<?>) v).ordinal());
        } else if (type == Map.class) {
            Map<String, String> m = (Map<String, String>) v;
            w.i(m.size());
            m.forEach((k, x) -> w.message(k).message(x));
        } else if (type == List.class) {
            List<Integer> l = (List<Integer>) v;
            w.i(l.size());
            l.forEach(w::i);
        } else {
            throw new IllegalArgumentException("a hook argument of type " + type.getName() + " has no wire form");
        }
    }

    /** Reads a {@code type} written by {@link #record(DomainProtocol.Writer, Record)}. */
    public static <R extends Record> R record(DomainProtocol.Reader in, Class<R> type) throws ControlChannelException {
        RecordComponent[] cs = type.getRecordComponents();
        Object[] values = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            values[i] = read(in, cs[i].getName(), types[i]);
        }
        try {
            return type.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new ControlChannelException("a " + type.getSimpleName() + " the record refuses: " + e.getCause());
        }
    }

    private static Object read(DomainProtocol.Reader in, String name, Class<?> type) throws ControlChannelException {
        if (type == String.class) {
            boolean present = in.b(name + " present");
            String s = in.message(name);
            return present ? s : null;
        } else if (type == int.class) {
            return in.i(name);
        } else if (type == long.class) {
            return in.l(name);
        } else if (type == boolean.class) {
            return in.b(name);
        } else if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[in.i(name, 0, constants.length - 1)];
        } else if (type == Map.class) {
            int n = in.i(name + " entries", 0, MAX_ENTRIES);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(in.message(name + " key"), in.message(name + " value"));
            }
            return m;
        } else if (type == List.class) {
            int n = in.i(name + " entries", 0, MAX_ENTRIES);
            List<Integer> l = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                l.add(in.i(name));
            }
            return l;
        }
        throw new ControlChannelException("a hook argument of type " + type.getName() + " has no wire form");
    }
}
