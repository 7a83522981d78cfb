package dev.jdm.kmod.depmod;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.modinfo.BuiltinModInfo;
import dev.jdm.kmod.modinfo.ModInfoEntry;
import dev.jdm.kmod.modinfo.ModuleNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * kmod's binary index format (modules.*.bin), from module-init-tools' index.c as kept in
 * kmod's depmod.c: a path-compressed trie over 7-bit ASCII keys, written post-order.
 *
 * <pre>
 *   u32 magic 0xB007F457, u32 version 0x00020001, u32 root offset   (all big-endian)
 *   node: [prefix NUL] [u8 first, u8 last, u32 child[last-first+1]] [u32 n, {u32 prio, value NUL}*n]
 * </pre>
 * A node offset carries flags in its top nibble saying which parts are present.
 *
 * <p>kmod inserts key by key into a tree of nodes, each with a 128-slot child table, and splits
 * prefixes as keys diverge. The tree that results depends only on the set of keys: the root has
 * no prefix, and every other node's prefix runs to where its keys diverge or one ends. So the
 * keys are only collected here, then sorted, and each node is written straight from its run of
 * sorted keys: the same bytes, without the nodes (their child tables were half of depmod's
 * garbage in rendering).
 */
public final class IndexTrie {
    static final int MAGIC = 0xB007F457;
    static final int VERSION = (2 << 16) | 1;
    static final int NODE_PREFIX = 0x80000000;
    static final int NODE_VALUES = 0x40000000;
    static final int NODE_CHILDS = 0x20000000;
    private static final int CHILDMAX = 128;

    /** One insertion; {@code seq} orders insertions, which decide the order of equal-priority values. */
    private record Entry(String key, String value, int priority, int seq) {
    }

    /**
     * Keys in order; a key's values by priority, and among equal priorities the last inserted
     * first: index_add_value puts a value before the first of equal or higher priority.
     */
    private static final Comparator<Entry> ORDER = (a, b) -> {
        int c = a.key.compareTo(b.key); // 7-bit keys: char order is kmod's byte order
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.priority, b.priority);
        return c != 0 ? c : Integer.compare(b.seq, a.seq);
    };

    private final List<Entry> entries = new ArrayList<>();
    private int bytes;

    /** index_insert: keys and values must be 7-bit ASCII, as kmod requires. */
    public void insert(String key, String value, int priority) throws KmodException {
        checkAscii(key);
        checkAscii(value);
        entries.add(new Entry(key, value, priority, entries.size()));
        bytes += key.length() + value.length() + 16;
    }

    private static void checkAscii(String s) throws KmodException {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= CHILDMAX || s.charAt(i) == 0) {
                throw new KmodException("module index: bad character 0x" + Integer.toHexString(s.charAt(i))
                        + " - only 7-bit ASCII is supported: " + s);
            }
        }
    }

    public byte[] toBytes() {
        Entry[] sorted = entries.toArray(new Entry[0]);
        Arrays.sort(sorted, ORDER);
        ByteOut out = new ByteOut(bytes + 64);
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(0);
        int rootOffset = write(sorted, 0, sorted.length, 0, true, out);
        byte[] b = out.toByteArray();
        ByteOut.putU32(b, 8, rootOffset);
        return b;
    }

    /**
     * Writes the node of the keys {@code e[from, to)}, which agree on their first {@code depth}
     * characters (the path to the node), after its children, and returns its offset and flags.
     */
    private static int write(Entry[] e, int from, int to, int depth, boolean root, ByteOut out) {
        // The node's prefix: what all its keys share past the path (sorted: the first and last
        // share it). The root has none, as kmod's starts empty and is never split.
        int end = depth;
        if (!root && to > from) {
            String first = e[from].key;
            String last = e[to - 1].key;
            int max = Math.min(first.length(), last.length());
            while (end < max && first.charAt(end) == last.charAt(end)) {
                end++;
            }
        }
        int values = from; // keys that end here sort first
        while (values < to && e[values].key.length() == end) {
            values++;
        }
        int[] childOffsets = null;
        int firstChild = 0;
        if (values < to) {
            firstChild = e[values].key.charAt(end);
            childOffsets = new int[e[to - 1].key.charAt(end) - firstChild + 1];
            for (int i = values; i < to; ) {
                char ch = e[i].key.charAt(end);
                int j = i + 1;
                while (j < to && e[j].key.charAt(end) == ch) {
                    j++;
                }
                childOffsets[ch - firstChild] = write(e, i, j, end + 1, false, out);
                i = j;
            }
        }
        int offset = out.size();
        if (end > depth) {
            out.cstr(e[from].key, depth, end);
            offset |= NODE_PREFIX;
        }
        if (childOffsets != null) {
            out.write(firstChild);
            out.write(firstChild + childOffsets.length - 1);
            for (int c : childOffsets) {
                out.u32(c);
            }
            offset |= NODE_CHILDS;
        }
        if (values > from) {
            out.u32(values - from);
            for (int i = from; i < values; i++) {
                out.u32(e[i].priority);
                out.cstr(e[i].value, 0, e[i].value.length());
            }
            offset |= NODE_VALUES;
        }
        return offset;
    }

    // ---- the indexes depmod writes ----

    /** From each module's line of modules.dep ({@code lines}, in module order), which it keys by module name. */
    static byte[] depBin(Depmod d, List<String> lines) throws KmodException {
        IndexTrie t = new IndexTrie();
        List<DepmodModule> modules = d.modules();
        for (int i = 0; i < modules.size(); i++) {
            DepmodModule m = modules.get(i);
            t.insert(m.name, lines.get(i), m.idx);
        }
        return t.toBytes();
    }

    static byte[] aliasBin(Depmod d) throws KmodException {
        IndexTrie t = new IndexTrie();
        for (DepmodModule m : d.modules()) {
            for (ModInfoEntry e : m.info) {
                if (e.key().equals("alias")) {
                    String alias = ModuleNames.normalizeAlias(e.value());
                    if (alias != null) {
                        t.insert(alias, m.name, m.idx);
                    }
                }
            }
        }
        return t.toBytes();
    }

    static byte[] symbolsBin(Depmod d) throws KmodException {
        IndexTrie t = new IndexTrie();
        for (Depmod.Symbol s : d.symbolsInHashOrder()) {
            if (s.owner() != null) {
                t.insert("symbol:" + s.name(), s.owner().name, s.owner().idx);
            }
        }
        return t.toBytes();
    }

    /** From modules.builtin: one key per built-in module name, empty value. */
    static byte[] builtinBin(Path moduleDir) throws KmodException {
        IndexTrie t = new IndexTrie();
        Path f = moduleDir.resolve("modules.builtin");
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
                if (!line.isEmpty() && Character.isLetter(line.charAt(0)) && line.charAt(0) < 128) {
                    t.insert(ModuleNames.fromPath(line), "", 0);
                }
            }
        } catch (NoSuchFileException e) {
            return t.toBytes();
        } catch (IOException e) {
            throw KmodException.in(f, "cannot read: " + e.getMessage(), e);
        }
        return t.toBytes();
    }

    /** From modules.builtin.modinfo: alias → module; null when there are no aliases (kmod writes nothing). */
    static byte[] builtinAliasBin(BuiltinModInfo builtin) throws KmodException {
        IndexTrie t = new IndexTrie();
        int count = 0;
        for (String name : builtin.names()) {
            for (String a : builtin.module(name).orElseThrow().values("alias")) {
                String alias = ModuleNames.normalizeAlias(a);
                if (alias != null) {
                    t.insert(alias, name, 0);
                    count++;
                }
            }
        }
        return count == 0 ? null : t.toBytes();
    }
}
