package dev.jdm.kmod.elf;

import dev.jdm.kmod.KmodException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code .symtab} and {@code .strtab} copied out of the file once, read by entry index.
 *
 * <p>depmod walks the symbol table of every module of a tree (some two million entries for a
 * distribution kernel) but wants the names of only a few: the undefined ones and those starting
 * {@code __crc_}, {@code __ksymtab_} or {@code __kstrtabns_}. Decoding every entry into an
 * {@link ElfSymbol} with a String name, byte by byte through the mapped buffer, was most of
 * depmod's parsing time; here a name is compared in place and decoded only when asked for.
 *
 * <p>Every name offset is checked when the table is built, so that the accessors cannot fail and
 * a corrupt table is refused as a whole, as {@link ElfFile#symbols()} always did.
 */
public final class SymbolTable {
    static final SymbolTable EMPTY = new SymbolTable(ElfDescriptor.ELF64, false, new byte[0], new byte[0], 0, new int[1], 1);

    private final ElfDescriptor d;
    private final boolean bigEndian;
    private final byte[] sym;
    private final byte[] str;
    /** Bytes of {@link #str} that belong to .strtab (the array may be a longer, reused one). */
    private final int strLength;
    private final int count;
    /** st_name of every entry, decoded by the validating pass and kept: every walk needs them. */
    private final int[] names;

    private SymbolTable(ElfDescriptor d, boolean bigEndian, byte[] sym, byte[] str, int strLength, int[] names, int count) {
        this.d = d;
        this.bigEndian = bigEndian;
        this.sym = sym;
        this.str = str;
        this.strLength = strLength;
        this.names = names;
        this.count = count;
    }

    /**
     * Arrays one thread reuses from one module to the next (depmod reads thousands): a table
     * read into them is valid until the next table is read into them.
     */
    public static final class Buffers {
        private byte[] sym = new byte[0];
        private byte[] str = new byte[0];
        private int[] names = new int[0];
        private byte[] section = new byte[0];

        /** An array of at least {@code n} bytes for a section read and used at once. */
        byte[] section(int n) {
            if (section.length < n) {
                section = new byte[n + (n >> 1)];
            }
            return section;
        }
    }

    static SymbolTable read(ElfFile elf, ElfSection symtab, ElfSection strtab, Buffers reuse) throws KmodException {
        ElfDescriptor d = elf.descriptor();
        if (symtab.size() % d.symSize != 0) {
            throw elf.problem(".symtab size " + symtab.size() + " is not a multiple of " + d.symSize);
        }
        int count = (int) (symtab.size() / d.symSize);
        SymbolTable t;
        if (reuse == null) {
            t = new SymbolTable(d, elf.isBigEndian(), elf.bytes(symtab), elf.bytes(strtab), (int) strtab.size(),
                    new int[count], count);
        } else {
            if (reuse.sym.length < symtab.size()) {
                reuse.sym = new byte[(int) (symtab.size() + (symtab.size() >> 1))];
            }
            if (reuse.str.length < strtab.size()) {
                reuse.str = new byte[(int) (strtab.size() + (strtab.size() >> 1))];
            }
            if (reuse.names.length < count) {
                reuse.names = new int[count + (count >> 1)];
            }
            elf.copy(symtab, reuse.sym);
            elf.copy(strtab, reuse.str);
            t = new SymbolTable(d, elf.isBigEndian(), reuse.sym, reuse.str, (int) strtab.size(), reuse.names, count);
        }
        int lastNul = t.strLength - 1;
        while (lastNul >= 0 && t.str[lastNul] != 0) {
            lastNul--;
        }
        for (int i = 1; i < t.count; i++) {
            long nameoff = t.u32(i * d.symSize + d.stName);
            if (nameoff >= t.strLength) {
                throw elf.problem(".symtab entry " + i + " names offset " + nameoff + " beyond .strtab (" + t.strLength + " bytes)");
            }
            if (nameoff > lastNul) {
                throw elf.problem("unterminated string at offset " + (strtab.offset() + nameoff));
            }
            t.names[i] = (int) nameoff;
        }
        return t;
    }

    /** Number of entries, entry 0 (the null symbol) included. */
    public int size() {
        return count;
    }

    public String name(int i) {
        return name(i, 0);
    }

    /** The name of entry {@code i} without its first {@code skip} bytes (a prefix checked with {@link #nameStartsWith}). */
    public String name(int i, int skip) {
        int at = names[i] + skip;
        int end = at;
        while (str[end] != 0) {
            end++;
        }
        return new String(str, at, end - at, StandardCharsets.ISO_8859_1);
    }

    /** The slot of entry {@code i}'s name in {@code interned}, decoded only if {@code interned} has not seen it. */
    public int name(int i, Names interned) {
        int at = names[i];
        int end = at;
        while (str[end] != 0) {
            end++;
        }
        return interned.slot(str, at, end);
    }

    /** True if the name of entry {@code i} starts with {@code prefix} (ASCII). */
    public boolean nameStartsWith(int i, byte[] prefix) {
        int at = names[i];
        if (prefix.length > strLength - at) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (str[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    public boolean nameIsEmpty(int i) {
        return str[names[i]] == 0;
    }

    public long value(int i) {
        return word(i * d.symSize + d.stValue);
    }

    public long symbolSize(int i) {
        return word(i * d.symSize + d.stSize);
    }

    public int info(int i) {
        return sym[i * d.symSize + d.stInfo] & 0xff;
    }

    public int shndx(int i) {
        return u16(i * d.symSize + d.stShndx);
    }

    public boolean isUndefined(int i) {
        return shndx(i) == ElfDescriptor.SHN_UNDEF;
    }

    /** Entry {@code i} as an {@link ElfSymbol}. */
    public ElfSymbol symbol(int i) {
        return new ElfSymbol(i, name(i), value(i), symbolSize(i), info(i), shndx(i));
    }

    /** Every entry but the null one, in table order. */
    public List<ElfSymbol> symbols() {
        List<ElfSymbol> out = new ArrayList<>(Math.max(0, count - 1));
        for (int i = 1; i < count; i++) {
            out.add(symbol(i));
        }
        return out;
    }

    private long word(int at) {
        return d.wordSize == 8 ? u64(at) : u32(at);
    }

    // Straight-line loads: these run for every symbol of every module, mostly in C1-compiled code.
    private int u16(int at) {
        int a = sym[at] & 0xff;
        int b = sym[at + 1] & 0xff;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    private long u32(int at) {
        long a = sym[at] & 0xff;
        long b = sym[at + 1] & 0xff;
        long c = sym[at + 2] & 0xff;
        long e = sym[at + 3] & 0xff;
        return bigEndian ? (a << 24) | (b << 16) | (c << 8) | e : (e << 24) | (c << 16) | (b << 8) | a;
    }

    private long u64(int at) {
        long lo = u32(bigEndian ? at + 4 : at);
        long hi = u32(bigEndian ? at : at + 4);
        return (hi << 32) | lo;
    }
}
