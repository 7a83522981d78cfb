package dev.jdm.isolation.process;

import java.nio.charset.StandardCharsets;

/** A test domain that answers one frame: its uid and the first argument. */
public final class HelloDomain implements DomainEntry {
    @Override
    public void run(DomainContext context) throws Exception {
        String reply = "hello " + String.join(",", context.args()) + " abi=" + context.landlockAbi();
        context.channel().send(100, reply.getBytes(StandardCharsets.UTF_8));
        try {
            context.channel().receive();
        } catch (java.io.EOFException expected) {
            // the host closed the channel: done
        }
    }
}
