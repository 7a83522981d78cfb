package dev.jdm.kmod.weak;

import dev.jdm.kmod.KmodException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Applies link changes all or nothing: every step records its undo, and a failure undoes the
 * steps already taken, so no half-made set of links is left behind. RHEL's weak-modules gets
 * the same effect by working on a copy of weak-updates and copying it back.
 */
final class LinkTransaction {
    private final Deque<Undo> undo = new ArrayDeque<>();

    @FunctionalInterface
    private interface Undo {
        void run() throws IOException;
    }

    /** Applies {@code ops} in order; on failure rolls back and throws naming the link. */
    void apply(List<LinkOp> ops, Path weakUpdatesDir) throws KmodException {
        for (LinkOp op : ops) {
            try {
                if (op.create()) {
                    create(op.link(), op.target());
                } else {
                    remove(op.link(), weakUpdatesDir);
                }
            } catch (IOException e) {
                rollback();
                throw KmodException.in(op.link(), "cannot " + (op.create() ? "create" : "remove") + " the link ("
                        + e + "); nothing was changed");
            }
        }
    }

    private void create(Path link, Path text) throws IOException {
        List<Path> missing = new java.util.ArrayList<>();
        for (Path d = link.getParent(); !Files.exists(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) {
            missing.add(d); // only what this step makes is undone: never a file that was in the way
        }
        for (Path made : missing.reversed()) { // the deepest is undone first
            undo.push(() -> Files.deleteIfExists(made));
        }
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, text);
        undo.push(() -> Files.deleteIfExists(link));
    }

    private void remove(Path link, Path weakUpdatesDir) throws IOException {
        Path text = Files.readSymbolicLink(link);
        Files.delete(link);
        undo.push(() -> {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, text);
        });
        // rmdir --parents --ignore-fail-on-non-empty below weak-updates, as weak-modules does
        for (Path d = link.getParent(); d.startsWith(weakUpdatesDir) && !d.equals(weakUpdatesDir); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException notEmpty) {
                break;
            }
        }
    }

    /** Undoes every step taken, newest first. */
    void rollback() {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (IOException | RuntimeException ignored) {
                // best effort: the next steps may still restore the rest
            }
        }
    }
}
