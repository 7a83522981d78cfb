package dev.jdm.host.module.mutation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One kind of ABI change, applied to a real ABI source file.
 *
 * @param file path below {@code jdm-abi/src/main/java}
 * @param also further replacements in the same file, in order
 * @param added new ABI types the change brings, binary name to source
 */
record AbiMutation(String name, String type, String file, String from, String to, java.util.Map<String, String> also,
        java.util.Map<String, String> added) {
    AbiMutation(String name, String type, String file, String from, String to) {
        this(name, type, file, from, to, java.util.Map.of(), java.util.Map.of());
    }

    /** The mutated source; fails if the text to replace is not there (the ABI moved on: fix the mutation). */
    String source() {
        try {
            String s = Files.readString(Path.of("../jdm-abi/src/main/java", file));
            if (!s.contains(from)) {
                throw new IllegalStateException("mutation " + name + ": " + file + " no longer contains " + from);
            }
            s = s.replace(from, to);
            for (var e : also.entrySet()) {
                if (!s.contains(e.getKey())) {
                    throw new IllegalStateException("mutation " + name + ": " + file + " no longer contains " + e.getKey());
                }
                s = s.replace(e.getKey(), e.getValue());
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String KMEM = "dev/jdm/abi/mem/Kmem.java";
    static final String DRIVER = "dev/jdm/abi/blk/BlockDriver.java";
    static final String OP = "dev/jdm/abi/blk/BlockOp.java";
    static final String SEC = "dev/jdm/abi/sec/SecurityModule.java";
    static final String DEV_OPEN_DEFAULT = "default Vote devOpen(TaskCred task, Object data, DevOpen open) {\n        return Vote.NO_OPINION;\n    }";

    /** Every kind of change the suite tries. */
    static java.util.List<AbiMutation> all() {
        return java.util.List.of(
                new AbiMutation("constant added", "dev.jdm.abi.mem.Kmem", KMEM, "int GFP_ZERO = 1;", "int GFP_ZERO = 1;\n    int GFP_LATER = 64;"),
                new AbiMutation("constant value changed", "dev.jdm.abi.mem.Kmem", KMEM, "int GFP_ZERO = 1;", "int GFP_ZERO = 8;"),
                new AbiMutation("method added to a provided type", "dev.jdm.abi.mem.Kmem", KMEM, "MemStats stats();", "MemStats stats();\n    long trim();"),
                new AbiMutation("parameter type changed", "dev.jdm.abi.mem.Kmem", KMEM, "MemorySegment kmalloc(long size, int flags);",
                        "MemorySegment kmalloc(long size, long flags);"),
                new AbiMutation("checked exception added", "dev.jdm.abi.mem.Kmem", KMEM, "void kfree(MemorySegment segment);",
                        "void kfree(MemorySegment segment) throws java.io.IOException;"),
                new AbiMutation("abstract method added to an implemented type", "dev.jdm.abi.blk.BlockDriver", DRIVER,
                        "@FunctionalInterface\npublic interface BlockDriver {\n", "public interface BlockDriver {\n    void flushAll();\n"),
                new AbiMutation("default method added to an implemented type", "dev.jdm.abi.blk.BlockDriver", DRIVER,
                        "void submit(BlockRequest request);", "void submit(BlockRequest request);\n    default void flushAll() {}"),
                new AbiMutation("record component added", "dev.jdm.abi.mem.MemStats", "dev/jdm/abi/mem/MemStats.java", "long vmallocBytes)",
                        "long vmallocBytes, long dmaBytes)"),
                new AbiMutation("enum constant added", "dev.jdm.abi.blk.BlockOp", OP, "    DISCARD\n}", "    DISCARD,\n    VERIFY\n}"),
                new AbiMutation("enum constant removed", "dev.jdm.abi.blk.BlockOp", OP, ",\n    /** The range's contents are no longer needed; later reads return zeroes or old data. */\n    DISCARD\n}", "\n}"),
                new AbiMutation("enum constants reordered", "dev.jdm.abi.blk.BlockOp", OP,
                        "    READ,\n    /** Write {@link BlockRequest#data()} at {@code offset}. */\n    WRITE,\n", "    WRITE,\n    READ,\n"),
                new AbiMutation("hook signature changed", "dev.jdm.abi.sec.SecurityModule", SEC, "default Vote devOpen(TaskCred task, Object data, DevOpen open) {",
                        "default Vote devOpen(TaskCred task, Object data, DevOpen open, int flags) {"),
                new AbiMutation("default method made abstract", "dev.jdm.abi.sec.SecurityModule", SEC, DEV_OPEN_DEFAULT,
                        "Vote devOpen(TaskCred task, Object data, DevOpen open);"),
                new AbiMutation("default method body changed", "dev.jdm.abi.sec.SecurityModule", SEC, DEV_OPEN_DEFAULT,
                        "default Vote devOpen(TaskCred task, Object data, DevOpen open) {\n        return Vote.ALLOW;\n    }"),
                new AbiMutation("superclass changed", "dev.jdm.abi.mem.KmemException", "dev/jdm/abi/mem/KmemException.java",
                        "extends RuntimeException", "extends Exception"),
                new AbiMutation("final removed", "dev.jdm.abi.blk.BlockStatus", "dev/jdm/abi/blk/BlockStatus.java", "public final class BlockStatus",
                        "public class BlockStatus"),
                new AbiMutation("method pulled up into a new superinterface", "dev.jdm.abi.mem.Kmem", KMEM,
                        "public interface Kmem {", "public interface Kmem extends KmemInfo {", java.util.Map.of("    MemStats stats();", ""),
                        java.util.Map.of("dev.jdm.abi.mem.KmemInfo",
                                "package dev.jdm.abi.mem;\n@dev.jdm.abi.Provided\npublic interface KmemInfo {\n    MemStats stats();\n}\n")),
                new AbiMutation("generic signature changed, same erasure", "dev.jdm.abi.ModuleContext", "dev/jdm/abi/ModuleContext.java",
                        "<T> Optional<T> lookup(Class<T> api);", "<T> Optional<T> lookup(Class<? extends T> api);"));
    }
}
