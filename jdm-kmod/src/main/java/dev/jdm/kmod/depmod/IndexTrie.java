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
import java.util.Arrays;

/**
 * kmod's binary index format (modules.*.bin), from module-init-tools' index.c as kept in
 * kmod's depmod.c: a path-compressed trie over 7-bit ASCII keys, written post-order.
 *
 * <pre>
 *   u32 magic 0xB007F457, u32 version 0x00020001, u32 root offset   (all big-endian)
 *   node: [prefix NUL] [u8 first, u8 last, u32 child[last-first+1]] [u32 n, {u32 prio, value NUL}*n]
 * </pre>
 * A node offset carries flags in its top nibble saying which parts are present.
 */
public final class IndexTrie {
    static final int MAGIC = 0xB007F457;
    static final int VERSION = (2 << 16) | 1;
    static final int NODE_PREFIX = 0x80000000;
    static final int NODE_VALUES = 0x40000000;
    static final int NODE_CHILDS = 0x20000000;
    private static final int CHILDMAX = 128;

    private static final class Value {
        final String value;
        final int priority;
        Value next;

        Value(String value, int priority) {
            this.value = value;
            this.priority = priority;
        }
    }

    private static final class Node {
        String prefix = "";
        Value values;
        int first = CHILDMAX;
        int last;
        /** Allocated with the first child: most nodes of an index are leaves. */
        Node[] children;

        Node child(int ch) {
            return children == null ? null : children[ch];
        }

        void setChild(int ch, Node n) {
            if (children == null) {
                children = new Node[CHILDMAX];
            }
            children[ch] = n;
        }
    }

    private final Node root = new Node();

    /** index_insert: keys and values must be 7-bit ASCII, as kmod requires. */
    public void insert(String key, String value, int priority) throws KmodException {
        checkAscii(key);
        checkAscii(value);
        Node node = root;
        int i = 0;
        while (true) {
            int j;
            for (j = 0; j < node.prefix.length(); j++) {
                char ch = node.prefix.charAt(j);
                if (i + j >= key.length() || ch != key.charAt(i + j)) {
                    // Split: the old node keeps prefix[0..j) and becomes the parent of a copy.
                    Node n = new Node();
                    n.prefix = node.prefix.substring(j + 1);
                    n.values = node.values;
                    n.first = node.first;
                    n.last = node.last;
                    n.children = node.children;
                    node.prefix = node.prefix.substring(0, j);
                    node.values = null;
                    node.children = null;
                    node.first = ch;
                    node.last = ch;
                    node.setChild(ch, n);
                    break;
                }
            }
            i += j;
            if (i == key.length()) {
                addValue(node, value, priority);
                return;
            }
            char ch = key.charAt(i);
            if (node.child(ch) == null) {
                node.first = Math.min(node.first, ch);
                node.last = Math.max(node.last, ch);
                Node child = new Node();
                child.prefix = key.substring(i + 1);
                addValue(child, value, priority);
                node.setChild(ch, child);
                return;
            }
            node = node.child(ch);
            i++;
        }
    }

    /** Inserted before the first value of equal or higher priority (index_add_value). */
    private static void addValue(Node node, String value, int priority) {
        Value v = new Value(value, priority);
        if (node.values == null || node.values.priority >= priority) {
            v.next = node.values;
            node.values = v;
            return;
        }
        Value p = node.values;
        while (p.next != null && p.next.priority < priority) {
            p = p.next;
        }
        v.next = p.next;
        p.next = v;
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
        Out out = new Out();
        out.u32(MAGIC);
        out.u32(VERSION);
        out.u32(0);
        int rootOffset = write(root, out);
        byte[] b = out.toByteArray();
        putU32(b, 8, rootOffset);
        return b;
    }

    private static int write(Node node, Out out) {
        if (node == null) {
            return 0;
        }
        int[] childOffsets = null;
        if (node.first < CHILDMAX) {
            childOffsets = new int[node.last - node.first + 1];
            for (int i = 0; i < childOffsets.length; i++) {
                childOffsets[i] = write(node.child(node.first + i), out);
            }
        }
        int offset = out.size();
        if (!node.prefix.isEmpty()) {
            out.str(node.prefix);
            offset |= NODE_PREFIX;
        }
        if (childOffsets != null) {
            out.write(node.first);
            out.write(node.last);
            for (int c : childOffsets) {
                out.u32(c);
            }
            offset |= NODE_CHILDS;
        }
        if (node.values != null) {
            int n = 0;
            for (Value v = node.values; v != null; v = v.next) {
                n++;
            }
            out.u32(n);
            for (Value v = node.values; v != null; v = v.next) {
                out.u32(v.priority);
                out.str(v.value);
            }
            offset |= NODE_VALUES;
        }
        return offset;
    }

    private static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** A growable big-endian byte buffer; not ByteArrayOutputStream, whose every write takes a lock. */
    private static final class Out {
        private byte[] buf = new byte[1 << 16];
        private int size;

        int size() {
            return size;
        }

        void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        void u32(int v) {
            ensure(4);
            putU32(buf, size, v);
            size += 4;
        }

        /** A 7-bit string (checked on insertion) and its NUL. */
        void str(String s) {
            int n = s.length();
            ensure(n + 1);
            s.getBytes(0, n, buf, size);
            size += n;
            buf[size++] = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }

        private void ensure(int n) {
            if (buf.length - size < n) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }
    }

    // ---- the indexes depmod writes ----

    static byte[] depBin(Depmod d) throws KmodException {
        IndexTrie t = new IndexTrie();
        for (DepmodModule m : d.modules()) {
            StringBuilder line = new StringBuilder(m.relpath).append(':');
            for (DepmodModule dep : Depmod.allDependencies(m)) {
                line.append(' ').append(dep.relpath);
            }
            t.insert(m.name, line.toString(), m.idx);
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
