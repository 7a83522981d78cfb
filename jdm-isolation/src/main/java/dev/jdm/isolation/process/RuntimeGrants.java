package dev.jdm.isolation.process;

import dev.jdm.isolation.confine.Grant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The grants a JVM needs to start inside the domain, found from this (the host's) running JVM:
 * {@code java.home} readable and executable; the system shared libraries the host JVM has mapped
 * (libc, the dynamic loader, ...), each as a single-file rule, the loader also executable because
 * {@code execve} opens it like the program itself; {@code /etc/ld.so.cache}; and the class path.
 * A library the domain JVM would load and the host has not is refused by Landlock: the JVM then
 * fails to start and the launcher reports it.
 */
final class RuntimeGrants {
    private RuntimeGrants() {}

    static List<Grant> of(List<Path> classPath) {
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
        List<Grant> grants = new ArrayList<>();
        grants.add(Grant.readExecute(javaHome));
        for (Path lib : mappedLibraries(javaHome)) {
            grants.add(lib.getFileName().toString().startsWith("ld-") ? Grant.readExecute(lib) : Grant.read(lib));
        }
        Path cache = Path.of("/etc/ld.so.cache");
        if (Files.isRegularFile(cache)) {
            grants.add(Grant.read(cache));
        }
        for (Path p : classPath) {
            grants.add(Grant.read(p.toAbsolutePath()));
        }
        return grants;
    }

    /** Shared objects in /proc/self/maps outside {@code java.home}. */
    static Set<Path> mappedLibraries(Path javaHome) {
        Set<Path> libs = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                Path file = Path.of(line.substring(slash).trim());
                if (file.getFileName().toString().matches(".*\\.so(\\.[0-9.]+)?") && !file.startsWith(javaHome) && Files.isRegularFile(file)) {
                    libs.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading /proc/self/maps for the domain's library grants", e);
        }
        return libs;
    }
}
