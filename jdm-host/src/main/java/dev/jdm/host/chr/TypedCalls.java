package dev.jdm.host.chr;

import dev.jdm.abi.chr.CallVersion;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.Raises;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevSchema;
import dev.jdm.gate.proto.DevValue;
import dev.jdm.gate.schema.CallSchema;
import dev.jdm.gate.schema.Values;
import dev.jdm.host.HostException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

/**
 * A node's typed calls: the driver's interface, its schema, and the checks every call passes
 * before the driver runs (the method exists, the client's fingerprint is the device's, the
 * arguments fit the records). A driver error it declared reaches the caller as that errno; any
 * other failure as EIO.
 */
public final class TypedCalls {
    private final String node;
    private final CallSchema schema;
    private final Object impl;
    private final int version;

    /**
     * Where the calls of a node whose driver runs elsewhere (an isolated domain) are answered: the
     * host has checked the method and the fingerprint; the other side checks the arguments against
     * the same records (it has them as classes; the host builds none of a remote module's objects)
     * and runs the driver. Errors are thrown as {@code HostException}s.
     */
    @FunctionalInterface
    public interface Forward {
        /** Runs {@code method} there; its result, or null for none. */
        DevValue call(String method, String fingerprint, DevValue args);
    }

    private final Forward forward;

    private TypedCalls(String node, CallSchema schema, Object impl, int version, Forward forward) {
        this.node = node;
        this.schema = schema;
        this.impl = impl;
        this.version = version;
        this.forward = forward;
    }

    /**
     * Calls served by {@code forward}: the schema is {@code api}'s, which the host reads from the
     * module's classes without initializing any of them (so none of the module's code runs here).
     */
    public static TypedCalls forwarded(String node, Class<?> api, Forward forward) {
        TypedCalls local = of(node, api, null);
        return new TypedCalls(node, local.schema, null, local.version, forward);
    }

    /** Calls {@code impl} serves (in the host, or in a domain answering for the host's node). */
    public static TypedCalls of(String node, Class<?> api, Object impl) {
        CallSchema s;
        try {
            s = CallSchema.of(api);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(node + ": typed calls: " + e.getMessage());
        }
        CallVersion v = api.getAnnotation(CallVersion.class);
        if (v != null && v.value() < 1) {
            throw new IllegalArgumentException(node + ": @CallVersion(" + v.value() + ") of " + api.getSimpleName() + " is not 1 or more");
        }
        for (String m : s.methodNames()) {
            for (int e : declared(s.method(m).orElseThrow())) {
                if (Errno.ofNumber(e).isEmpty()) {
                    throw new IllegalArgumentException(node + ": " + api.getSimpleName() + "." + m + " declares unknown errno " + e);
                }
            }
        }
        return new TypedCalls(node, s, impl, v == null ? 1 : v.value(), null);
    }

    private static int[] declared(Method m) {
        Raises r = m.getAnnotation(Raises.class);
        return r == null ? new int[0] : r.value();
    }

    /** The schema as dev_describe carries it. */
    public DevSchema schema() {
        return schema.toProto(version, m -> Arrays.stream(declared(m)).mapToObj(Errno::name).toList());
    }

    /**
     * Runs {@code method} with {@code args} (null for none).
     *
     * @param fingerprint the client's fingerprint of the method, or empty when it read the schema just now
     * @throws HostException ENOSYS for an unknown method, EPROTO for a fingerprint that differs, EINVAL for
     *     arguments that do not fit, the declared errno the driver raised, or EIO
     */
    public DevValue invoke(String method, String fingerprint, DevValue args) {
        Method m = schema.method(method).orElseThrow(() -> new HostException(Errno.ENOSYS,
                node + " has no typed call \"" + method + "\" (its calls: " + String.join(", ", schema.methodNames()) + ")"));
        String mine = schema.fingerprint(method);
        if (!fingerprint.isEmpty() && !fingerprint.equals(mine)) {
            throw new HostException(Errno.EPROTO, node + "." + method + ": the client was built against another definition (fingerprint "
                    + fingerprint + ", the device's is " + mine + "); nothing ran; see jdm dev describe " + node);
        }
        if (forward != null) {
            if (m.getParameterCount() == 0 ? args != null : args == null) {
                throw new HostException(Errno.EINVAL, node + "." + method + (args != null ? " takes no arguments"
                        : " takes a " + m.getParameterTypes()[0].getSimpleName() + "; none given"));
            }
            return forward.call(method, fingerprint, args);
        }
        Object[] in;
        if (m.getParameterCount() == 0) {
            if (args != null) {
                throw new HostException(Errno.EINVAL, node + "." + method + " takes no arguments");
            }
            in = new Object[0];
        } else {
            if (args == null) {
                throw new HostException(Errno.EINVAL, node + "." + method + " takes a " + m.getParameterTypes()[0].getSimpleName() + "; none given");
            }
            try {
                in = new Object[] {Values.read(args, m.getParameterTypes()[0], "args")};
            } catch (IllegalArgumentException e) {
                throw new HostException(Errno.EINVAL, node + "." + method + ": " + e.getMessage());
            }
        }
        Object out;
        try {
            m.setAccessible(true);
            out = m.invoke(impl, in);
        } catch (InvocationTargetException e) {
            throw failure(m, e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new HostException(Errno.EIO, node + "." + method + ": cannot be called: " + e);
        }
        if (out == null) {
            if (m.getReturnType() != void.class) {
                throw new HostException(Errno.EIO, node + "." + method + ": the driver returned null for a " + m.getReturnType().getSimpleName());
            }
            return null;
        }
        return Values.of(out);
    }

    private HostException failure(Method m, Throwable t) {
        String where = node + "." + m.getName();
        if (t instanceof CharException c) {
            List<Integer> allowed = Arrays.stream(declared(m)).boxed().toList();
            if (allowed.contains(c.errno())) {
                return new HostException(Errno.ofStatus(c.errno()), where + ": " + c.getMessage());
            }
            return new HostException(Errno.EIO, where + ": the driver raised " + Errno.name(c.errno()) + ", which the call does not declare: "
                    + c.getMessage());
        }
        return new HostException(Errno.EIO, where + ": the driver failed: " + t);
    }
}
