package dev.jdm.kmod.depmod;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The iteration order of libkmod's {@code struct hash} (libkmod-hash.c), which decides the
 * line order of modules.symbols and the order of modules missing from modules.order.
 * Entries are bucketed by Paul Hsieh's SuperFastHash modulo the bucket count, and each bucket
 * keeps its keys sorted with strcmp; iteration walks buckets in index order.
 */
public final class KmodHash {
    private KmodHash() {
    }

    /** SuperFastHash over the key's bytes (ISO-8859-1 code units), with C's signed char where libkmod has it. */
    public static int superFast(String key) {
        int len = key.length();
        int hash = len;
        int rem = len & 3;
        int i = 0;
        for (int n = len >>> 2; n > 0; n--) {
            hash += u16(key, i);
            int tmp = (u16(key, i + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            i += 4;
            hash += hash >>> 11;
        }
        switch (rem) {
            case 3 -> {
                hash += u16(key, i);
                hash ^= hash << 16;
                hash ^= ((byte) key.charAt(i + 2)) << 18;
                hash += hash >>> 11;
            }
            case 2 -> {
                hash += u16(key, i);
                hash ^= hash << 11;
                hash += hash >>> 17;
            }
            case 1 -> {
                hash += (byte) key.charAt(i);
                hash ^= hash << 10;
                hash += hash >>> 1;
            }
            default -> { }
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    /** Little-endian 16-bit load, as get_unaligned((uint16_t *)key) on x86. */
    private static int u16(String s, int i) {
        return (s.charAt(i) & 0xff) | ((s.charAt(i + 1) & 0xff) << 8);
    }

    public static int bucket(String key, int buckets) {
        return Integer.remainderUnsigned(superFast(key), buckets);
    }

    /** The values in the order hash_iter_next() would return them. Keys must be unique. */
    public static <T> List<T> iterationOrder(Collection<T> values, Function<T, String> key, int buckets) {
        record Keyed<T>(int bucket, String key, T value) {
        }
        List<Keyed<T>> keyed = new ArrayList<>(values.size());
        for (T v : values) {
            String k = key.apply(v);
            keyed.add(new Keyed<>(bucket(k, buckets), k, v));
        }
        keyed.sort((a, b) -> a.bucket != b.bucket ? Integer.compare(a.bucket, b.bucket) : a.key.compareTo(b.key));
        List<T> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.value()));
        return out;
    }
}
