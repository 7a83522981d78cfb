package dev.jdm.isolation.confine;

import java.nio.file.Path;

/** A path the domain may use after confinement, and how: the only file-system access it keeps. */
public record Grant(Path path, Access access) {
    /** How a granted path may be used. */
    public enum Access {
        /** Read files, list directories. */
        READ,
        /** Read, and execute files (only the JVM itself needs this: it is exec'd after confinement). */
        READ_EXECUTE,
        /** Read, write, create, remove and truncate beneath the path; no devices, sockets or fifos. */
        READ_WRITE
    }

    public Grant {
        if (path == null || !path.isAbsolute()) {
            throw new IllegalArgumentException("a grant needs an absolute path, not " + path);
        }
        if (access == null) {
            throw new IllegalArgumentException("grant of " + path + " has no access");
        }
    }

    public static Grant read(Path path) {
        return new Grant(path, Access.READ);
    }

    public static Grant readWrite(Path path) {
        return new Grant(path, Access.READ_WRITE);
    }

    public static Grant readExecute(Path path) {
        return new Grant(path, Access.READ_EXECUTE);
    }
}
