package dev.jdm.host.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The user database as {@code /etc/passwd} holds it (passwd(5)): name:password:uid:gid:gecos:home:shell. */
public final class Passwd {
    private static final Path FILE = Path.of("/etc/passwd");

    private Passwd() {}

    /** The primary group of {@code uid}, or -1 if it has no entry or the file cannot be read. */
    public static int primaryGid(int uid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(FILE);
        } catch (IOException | SecurityException e) {
            return -1;
        }
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[2].equals(Integer.toString(uid))) {
                try {
                    return Integer.parseInt(f[3]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
