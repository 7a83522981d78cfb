package dev.jdm.host.domain.process;

import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.symvers.JarContents;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A module JAR read in memory: a domain cannot write a temporary file (Landlock grants it none),
 * which {@link JarContents#read(byte[], String)} needs. Only class files, {@code META-INF/jdm/}
 * entries and native libraries are taken, within {@link JarContents}' limits; anything else is
 * refused. Native libraries arrive only for a module that declares them: the host shipped what its
 * own checks passed, and the domain's linker checks the declaration again.
 */
final class JarBytes {
    private static final String META = "META-INF/jdm/";

    private JarBytes() {}

    static JarContents read(byte[] jar, String origin) {
        Map<String, byte[]> classes = new HashMap<>();
        Map<String, byte[]> metadata = new HashMap<>();
        Map<String, byte[]> nativeCode = new java.util.LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (classes.size() + metadata.size() + nativeCode.size() >= JarContents.MAX_ENTRIES) {
                    throw refuse(origin, "more than " + JarContents.MAX_ENTRIES + " entries");
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, JarContents.MAX_TOTAL_BYTES - total + 1));
                total += bytes.length;
                if (total > JarContents.MAX_TOTAL_BYTES) {
                    throw refuse(origin, "more than " + JarContents.MAX_TOTAL_BYTES + " bytes unpacked");
                }
                String name = e.getName();
                if (name.startsWith(META) && name.length() > META.length()) {
                    metadata.put(name.substring(META.length()), bytes);
                } else if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    classes.put(name.substring(0, name.length() - ".class".length()), bytes);
                } else if (JarContents.isNativeCode(name) && !name.contains("..") && !name.startsWith("/")) {
                    nativeCode.put(name, bytes);
                } else {
                    throw refuse(origin, "entry " + name + " is neither a class, META-INF/jdm metadata nor a native library");
                }
            }
        } catch (IOException e) {
            throw refuse(origin, e.getMessage());
        }
        return new JarContents(origin, Map.copyOf(classes), Map.copyOf(metadata), java.util.Collections.unmodifiableMap(nativeCode));
    }

    private static HostException refuse(String origin, String why) {
        return new HostException(Errno.ENOEXEC, origin + ": module JAR refused in the domain: " + why);
    }
}
