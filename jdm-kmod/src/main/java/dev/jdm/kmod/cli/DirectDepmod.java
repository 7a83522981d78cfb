package dev.jdm.kmod.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;

/**
 * {@code depmod} with plain arguments, run without picocli. depmod runs at every kernel or
 * module install, and its wall time is compared with kmod's; picocli's start-up (its class files
 * predate Java 6, so the AOT cache cannot keep them linked, and it builds the command model by
 * reflection) was a fifth of that on a distribution tree.
 *
 * <p>Only spellings whose meaning is beyond doubt are taken: {@code -b DIR}, {@code --basedir DIR}
 * or {@code --basedir=DIR} (and so for {@code -o}, {@code -C}, {@code -E}, {@code -F}), the flags
 * {@code -n -a --json} and their long names, and at most one release. Anything else (help, a
 * repeated option, clustered flags, a value that starts with '-', '@' argument files, a typo)
 * returns null, and picocli parses the line as it always did, errors included.
 * {@code DirectDepmodTest} checks that both parsers agree and that every option of
 * {@link DepmodCommand} is known here.
 */
final class DirectDepmod {
    private DirectDepmod() {
    }

    /** Runs {@code depmod ARGS} as {@code qualifiedName}; null if picocli must parse them. */
    static Integer run(String qualifiedName, String[] args, PrintWriter out, PrintWriter err) {
        DepmodCommand c = parse(args);
        return c == null ? null : c.callDirect(qualifiedName, out, err);
    }

    /** The command {@code args} (after "depmod") describe, or null if they are not plain. */
    static DepmodCommand parse(String[] args) {
        DepmodCommand c = new DepmodCommand();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.charAt(0) == '@') {
                return null;
            }
            if (a.charAt(0) != '-') {
                if (c.kernelRelease != null) {
                    return null;
                }
                c.kernelRelease = a;
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "-n", "--show", "--dry-run" -> {
                    if (value != null || c.dryRun) {
                        return null;
                    }
                    c.dryRun = true;
                }
                case "-a", "--all" -> {
                    if (value != null || c.all) {
                        return null;
                    }
                    c.all = true;
                }
                case "--json" -> {
                    if (value != null || c.json) {
                        return null;
                    }
                    c.json = true;
                }
                case "-b", "--basedir", "-o", "--outdir", "-C", "--config", "-E", "--symvers", "-F", "--filesyms" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            return null;
                        }
                        value = args[++i];
                    }
                    try {
                        if (value.isEmpty() || value.charAt(0) == '-' || value.charAt(0) == '@' || !set(c, name, value)) {
                            return null;
                        }
                    } catch (InvalidPathException e) {
                        return null; // picocli names the bad value
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        return c;
    }

    /** Sets the option; false if it was given already (picocli refuses that). */
    private static boolean set(DepmodCommand c, String name, String value) {
        switch (name) {
            case "-b", "--basedir" -> {
                if (c.baseDir != null) {
                    return false;
                }
                c.baseDir = value;
            }
            case "-o", "--outdir" -> {
                if (c.outDir != null) {
                    return false;
                }
                c.outDir = value;
            }
            case "-C", "--config" -> {
                if (c.config == null) {
                    c.config = new ArrayList<>();
                }
                c.config.add(Path.of(value));
            }
            case "-E", "--symvers" -> {
                if (c.symvers != null) {
                    return false;
                }
                c.symvers = Path.of(value);
            }
            default -> {
                if (c.systemMap != null) {
                    return false;
                }
                c.systemMap = Path.of(value);
            }
        }
        return true;
    }
}
