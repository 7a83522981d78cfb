package dev.jdm.symvers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The identifiers a module's Java sources contain. javac inlines a constant only where the source
 * names it (JLS 13.1: a reference to a constant variable is replaced by its value), by its simple
 * or qualified name; so a constant whose name appears nowhere in the sources cannot be in the
 * binary. A superset is harmless (a name in a comment, a field of the same name elsewhere): it
 * only makes modpost list one constant more.
 */
public final class SourceNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*");

    private final Set<String> names;

    private SourceNames(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    /** The identifiers of these source texts. */
    public static SourceNames scan(Collection<String> sources) {
        Set<String> names = new HashSet<>();
        for (String s : sources) {
            Matcher m = IDENTIFIER.matcher(s);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return new SourceNames(names);
    }

    /**
     * The identifiers of every {@code .java} file under these directories (missing ones are skipped).
     *
     * @throws SymversException naming a file that cannot be read
     */
    public static SourceNames of(Collection<Path> roots) {
        Set<String> texts = new HashSet<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    texts.add(Files.readString(f));
                }
            } catch (IOException e) {
                throw new SymversException(root + ": cannot read the module's sources (" + e.getMessage() + ")");
            }
        }
        return scan(texts);
    }

    /** Whether the sources contain {@code identifier}. */
    public boolean contains(String identifier) {
        return names.contains(identifier);
    }
}
