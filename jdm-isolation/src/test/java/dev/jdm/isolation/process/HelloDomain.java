package dev.jdm.isolation.process;

import java.nio.charset.StandardCharsets;

/** A test domain that says hello with its arguments and ends when told (frame 101). */
public final class HelloDomain implements DomainEntry {
    @Override
    public void run(DomainContext context) throws Exception {
        String reply = "hello " + String.join(",", context.args()) + " abi=" + context.landlockAbi();
        context.channel().send(100, reply.getBytes(StandardCharsets.UTF_8));
        context.channel().expect(101); // bye: return, exit code 0
    }
}
