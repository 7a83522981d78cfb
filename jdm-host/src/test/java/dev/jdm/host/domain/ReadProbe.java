package dev.jdm.host.domain;

import dev.jdm.isolation.process.DomainContext;
import dev.jdm.isolation.process.DomainEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A domain entry that tries to read the file named by its argument and reports what happened. */
public final class ReadProbe implements DomainEntry {
    static final int RESULT = 99;

    @Override
    public void run(DomainContext context) throws Exception {
        String result;
        try {
            result = "read " + Files.readAllBytes(Path.of(context.args().get(0))).length + " bytes";
        } catch (Exception e) {
            result = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        context.channel().send(RESULT, result.getBytes(StandardCharsets.UTF_8));
        context.channel().receive(); // until the host closes the channel
    }
}
