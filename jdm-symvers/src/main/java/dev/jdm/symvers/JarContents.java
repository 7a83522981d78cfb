package dev.jdm.symvers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The class files and {@code META-INF/jdm/*} files of a module JAR or class directory, read with
 * limits so that a corrupt archive or a zip bomb gives an error, never an exhausted host.
 *
 * @param origin where the contents came from, for messages
 * @param classes class file bytes by internal name ({@code a/b/C})
 * @param metadata files under {@code META-INF/jdm/} by their name below it ({@code modinfo})
 * @param nativeCode entries that hold native code ({@code lib/x.so}) by name, with their bytes: a
 *     module JAR is architecture-neutral bytecode, so the loader refuses these unless the module
 *     declares native code, and then serves them to it as resources
 */
public record JarContents(String origin, Map<String, byte[]> classes, Map<String, byte[]> metadata, Map<String, byte[]> nativeCode) {
    /** Most entries an archive may have. */
    public static final int MAX_ENTRIES = 20_000;
    /** Most bytes all read entries may expand to. */
    public static final long MAX_TOTAL_BYTES = 128L << 20;
    /** Largest expansion ratio of one entry bigger than 1 MiB: beyond it the entry is a bomb. */
    public static final int MAX_RATIO = 200;

    private static final String META = "META-INF/jdm/";
    /** Shared objects of Linux (with or without a version suffix), Windows and macOS. */
    private static final java.util.regex.Pattern NATIVE = java.util.regex.Pattern.compile(".*\\.(so(\\.\\d+)*|dll|dylib|jnilib)$");

    /** Whether a JAR entry of this name holds native code (a shared object of Linux, Windows or macOS). */
    public static boolean isNativeCode(String entryName) {
        return NATIVE.matcher(entryName).matches();
    }

    /** Contents without native code. */
    public JarContents(String origin, Map<String, byte[]> classes, Map<String, byte[]> metadata) {
        this(origin, classes, metadata, Map.of());
    }

    /** The same contents, named {@code newOrigin} in messages. */
    public JarContents withOrigin(String newOrigin) {
        return new JarContents(newOrigin, classes, metadata, nativeCode);
    }

    /** The text of a metadata file, if present. */
    public java.util.Optional<String> metadataText(String name) {
        byte[] bytes = metadata.get(name);
        return bytes == null ? java.util.Optional.empty()
                : java.util.Optional.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Reads a JAR file or a directory of classes.
     *
     * @throws SymversException naming the file and the problem
     */
    public static JarContents read(Path path) {
        if (Files.isDirectory(path)) {
            return readDirectory(path);
        }
        if (!Files.isRegularFile(path)) {
            throw new SymversException(path + ": no such file");
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            return readZip(zip, path.toString());
        } catch (ZipException e) {
            throw new SymversException(path + ": not a valid JAR (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new SymversException(path + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads a JAR held in memory (one packed inside another), with the same limits.
     *
     * @throws SymversException naming {@code origin} and the problem
     */
    public static JarContents read(byte[] jar, String origin) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("jdm-jar-", ".jar");
            Files.write(tmp, jar);
            try (ZipFile zip = new ZipFile(tmp.toFile())) {
                return readZip(zip, origin);
            }
        } catch (ZipException e) {
            throw new SymversException(origin + ": not a valid JAR (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new SymversException(origin + ": cannot read (" + e.getMessage() + ")");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left in the temp directory
                }
            }
        }
    }

    private static JarContents readZip(ZipFile zip, String origin) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Map<String, byte[]> metadata = new LinkedHashMap<>();
        Map<String, byte[]> nativeCode = new LinkedHashMap<>();
        if (zip.size() > MAX_ENTRIES) {
            throw new SymversException(origin + ": too many entries (" + zip.size() + ", at most " + MAX_ENTRIES + ")");
        }
        long total = 0;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            String name = entry.getName();
            boolean isClass = name.endsWith(".class") && !name.startsWith("META-INF/");
            boolean isMeta = name.startsWith(META) && !entry.isDirectory();
            boolean isNative = !entry.isDirectory() && NATIVE.matcher(name).matches();
            if (!isClass && !isMeta && !isNative) {
                continue;
            }
            if (name.contains("..") || name.startsWith("/")) {
                throw new SymversException(origin + ": unsafe entry name " + name);
            }
            byte[] bytes = readLimited(zip, entry, origin, MAX_TOTAL_BYTES - total);
            total += bytes.length;
            if (isNative) {
                nativeCode.put(name, bytes);
            } else if (isClass) {
                classes.put(name.substring(0, name.length() - ".class".length()), bytes);
            } else {
                metadata.put(name.substring(META.length()), bytes);
            }
        }
        return new JarContents(origin, Map.copyOf(classes), Map.copyOf(metadata), java.util.Collections.unmodifiableMap(nativeCode));
    }

    /** Reads one entry, counting what actually inflates: the sizes in the directory can lie. */
    private static byte[] readLimited(ZipFile zip, ZipEntry entry, String origin, long budget) throws IOException {
        long compressed = Math.max(entry.getCompressedSize(), 1);
        try (InputStream in = zip.getInputStream(entry)) {
            var out = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            long read = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                read += n;
                if (read > budget) {
                    throw new SymversException(origin + ": expands beyond " + (MAX_TOTAL_BYTES >> 20)
                            + " MiB (zip bomb?) at entry " + entry.getName());
                }
                if (read > (1 << 20) && read / compressed > MAX_RATIO) {
                    throw new SymversException(origin + ": entry " + entry.getName() + " expands more than "
                            + MAX_RATIO + " times (zip bomb?)");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (ZipException e) {
            throw new SymversException(origin + ": corrupt entry " + entry.getName() + " (" + e.getMessage() + ")");
        }
    }

    private static JarContents readDirectory(Path dir) {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Map<String, byte[]> metadata = new LinkedHashMap<>();
        Map<String, byte[]> nativeCode = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    classes.put(name.substring(0, name.length() - 6), Files.readAllBytes(file));
                } else if (name.startsWith(META)) {
                    metadata.put(name.substring(META.length()), Files.readAllBytes(file));
                } else if (NATIVE.matcher(name).matches()) {
                    nativeCode.put(name, Files.readAllBytes(file));
                }
            }
        } catch (IOException e) {
            throw new SymversException(dir + ": cannot read (" + e.getMessage() + ")");
        }
        return new JarContents(dir.toString(), Map.copyOf(classes), Map.copyOf(metadata), java.util.Collections.unmodifiableMap(nativeCode));
    }
}
