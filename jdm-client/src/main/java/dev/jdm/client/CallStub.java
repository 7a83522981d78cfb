package dev.jdm.client;

import dev.jdm.gate.proto.DevCallCall;
import dev.jdm.gate.proto.DevCallReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.schema.CallSchema;
import dev.jdm.gate.schema.Values;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/** One stub's calls: a method becomes a {@code dev_call} with this copy's fingerprint of it. */
final class CallStub implements InvocationHandler {
    private final DevClient client;
    private final String node;
    private final CallSchema schema;

    CallStub(DevClient client, String node, Class<?> api) {
        this.client = client;
        this.node = node;
        this.schema = CallSchema.of(api);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "toString" -> "typed calls of " + node + " (" + schema.api().getSimpleName() + ")";
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            };
        }
        DevCallCall.Builder c = DevCallCall.newBuilder().setNode(node).setMethod(method.getName())
                .setFingerprint(schema.fingerprint(method.getName()));
        if (args != null && args.length == 1) {
            c.setArgs(Values.of(args[0]));
        }
        DevCallReply reply = client.call(Request.newBuilder().setDevCall(c)).getDevCall();
        if (method.getReturnType() == void.class) {
            return null;
        }
        if (!reply.hasResult()) {
            throw new IllegalStateException(node + "." + method.getName() + ": the host returned no " + method.getReturnType().getSimpleName());
        }
        return Values.read(reply.getResult(), method.getGenericReturnType(), "result");
    }
}
