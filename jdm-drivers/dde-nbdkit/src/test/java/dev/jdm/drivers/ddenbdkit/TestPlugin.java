package dev.jdm.drivers.ddenbdkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds one of the environment's C test plugins (jdm-dde/src/test/c) with gcc, as jdm-dde's own build does. */
final class TestPlugin {
    static final Path SOURCES = Path.of("../../jdm-dde/src/test/c").toAbsolutePath().normalize();

    private TestPlugin() {}

    /** {@code dir/nbdkit-NAME-plugin.so}, built from {@code NAME.c}. */
    static Path build(String name, Path dir) throws IOException, InterruptedException {
        Path so = dir.resolve("nbdkit-" + name + "-plugin.so");
        Process gcc = new ProcessBuilder("gcc", "-fPIC", "-shared", "-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11", "-fvisibility=hidden",
                "-o", so.toString(), SOURCES.resolve(name + ".c").toString()).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes());
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc " + name + ".c failed: " + out);
        }
        return so;
    }
}
