package dev.jdm.isolation.process;

import dev.jdm.isolation.confine.ConfinementPlan;
import dev.jdm.isolation.confine.Grant;
import dev.jdm.isolation.confine.ResourceLimits;
import dev.jdm.isolation.sys.Sys;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Shared set-up of the cross-process tests: the class path a domain needs and a default plan. */
public final class TestDomains {
    /** nobody/nogroup: the unprivileged identity a domain drops to when the tests run as root. */
    public static final int NOBODY = 65534;

    private TestDomains() {}

    private static List<Path> classPath;

    /**
     * This module's classes and test classes: everything a test domain runs. A domain that drops to
     * nobody must be able to traverse to them; where the checkout sits below a directory closed to
     * others (a 0700 home), they are copied once to a world-readable temporary directory.
     */
    public static synchronized List<Path> classPath() {
        if (classPath == null) {
            List<Path> dirs = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    // the kit's own classes and the jdm modules it needs (jdm-errno), as directories or JARs
                    .filter(e -> e.endsWith("classes") || e.endsWith("test-classes") || Path.of(e).getFileName().toString().matches("jdm-.*\\.jar"))
                    .map(e -> Path.of(e).toAbsolutePath())
                    .toList();
            ReadableClassPath reachable = ReadableClassPath.of(dirs, true);
            Runtime.getRuntime().addShutdownHook(new Thread(reachable::close));
            classPath = reachable.entries();
        }
        return classPath;
    }

    public static boolean root() {
        try {
            return Sys.geteuid() == 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops to nobody when root; 2 GiB of address space, 256 descriptors, 1024 tasks. */
    public static ConfinementPlan plan(Grant... grants) {
        int id = root() ? NOBODY : -1;
        return new ConfinementPlan(id, id, List.of(grants), new ResourceLimits(2L << 30, 256, 1024), false);
    }

    public static DomainSpec spec(String name, Class<? extends DomainEntry> entry, ConfinementPlan plan, String... args) {
        return DomainSpec.of(name, classPath(), entry, plan, args);
    }
}
