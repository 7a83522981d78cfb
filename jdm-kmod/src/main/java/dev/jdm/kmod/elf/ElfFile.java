package dev.jdm.kmod.elf;

import static dev.jdm.kmod.elf.ElfDescriptor.*;

import dev.jdm.kmod.KmodException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of an ELF file in memory (a mapped .ko or a decompressed buffer).
 *
 * <p>Every offset and size read from the file is checked before use: a corrupt file gives a
 * {@link KmodException} naming the file and the problem, never an index exception or an
 * allocation sized by the file. Strings are decoded as ISO-8859-1 so that their bytes survive
 * unchanged into kmod-compatible output.
 */
public final class ElfFile {
    private final String file;
    private final ByteBuffer data;
    private final ElfDescriptor d;
    private final int machine;
    /** Where the section headers start, and how many there are (both checked against the file). */
    private final long shoff;
    private final int shnum;
    /** The section name table (NUL-terminated, checked): names are compared in it, in place. */
    private final byte[] sectionNames;
    /**
     * Headers read so far, by index. A module has some 60 sections and depmod looks at five:
     * records for all of them were a tenth of its garbage.
     */
    private final ElfSection[] headers;
    /** .symtab decoded once: exports and imports both walk it. Not thread-safe, like the file view itself. */
    private SymbolTable symbolCache;
    /** Where the symbol table is read into, if the caller reuses arrays from file to file; else null. */
    private SymbolTable.Buffers symbolBuffers;

    private ElfFile(String file, ByteBuffer data, ElfDescriptor d, int machine, long shoff, int shnum, byte[] sectionNames) {
        this.file = file;
        this.data = data;
        this.d = d;
        this.machine = machine;
        this.shoff = shoff;
        this.shnum = shnum;
        this.sectionNames = sectionNames;
        this.headers = new ElfSection[shnum];
    }

    /** True if {@code data} starts with the ELF magic. */
    public static boolean hasMagic(ByteBuffer data) {
        if (data.limit() < ELFMAG.length) {
            return false;
        }
        for (int i = 0; i < ELFMAG.length; i++) {
            if (data.get(i) != ELFMAG[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #parse(String, ByteBuffer)}, reading the symbol table into {@code reuse}: the
     * result's {@link #symbolTable()} is valid until another file's table is read into it.
     */
    public static ElfFile parse(String file, ByteBuffer data, SymbolTable.Buffers reuse) throws KmodException {
        ElfFile elf = parse(file, data);
        elf.symbolBuffers = reuse;
        return elf;
    }

    /** Parses the ELF and section headers; {@code file} names the input in error messages. */
    public static ElfFile parse(String file, ByteBuffer data) throws KmodException {
        ByteBuffer buf = data.duplicate().clear();
        if (buf.limit() <= EI_NIDENT || !hasMagic(buf)) {
            throw KmodException.in(file, "not an ELF file (bad magic)");
        }
        ElfDescriptor d = switch (buf.get(EI_CLASS)) {
            case ELFCLASS32 -> ELF32;
            case ELFCLASS64 -> ELF64;
            default -> throw KmodException.in(file, "unknown ELF class " + buf.get(EI_CLASS));
        };
        switch (buf.get(EI_DATA)) {
            case ELFDATA2LSB -> buf.order(ByteOrder.LITTLE_ENDIAN);
            case ELFDATA2MSB -> buf.order(ByteOrder.BIG_ENDIAN);
            default -> throw KmodException.in(file, "unknown ELF data encoding " + buf.get(EI_DATA));
        }
        if (buf.limit() <= d.ehdrSize) {
            throw KmodException.in(file, "truncated ELF header (" + buf.limit() + " bytes)");
        }
        ElfFile probe = new ElfFile(file, buf, d, 0, 0, 0, new byte[0]);
        return probe.withSections();
    }

    private ElfFile withSections() throws KmodException {
        int mach = u16(d.eMachine);
        long shoff = word(d.eShoff);
        int shentsize = u16(d.eShentsize);
        long shnum = u16(d.eShnum);
        int shstrndx = u16(d.eShstrndx);
        if (shentsize != d.shdrSize) {
            throw problem("section header size is " + shentsize + ", expected " + d.shdrSize);
        }
        if (shoff <= 0 || shoff >= data.limit()) {
            throw problem("section header table offset " + shoff + " is outside the file");
        }
        // e_shnum == 0 and e_shstrndx == SHN_XINDEX move the real values into section 0 (gABI).
        if (shnum == 0) {
            shnum = word(shoff + d.shSize);
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = (int) u32(shoff + d.shLink);
        }
        if (shnum <= 0 || shnum > (data.limit() - shoff) / d.shdrSize) {
            throw problem("file is too short to hold " + shnum + " section headers at offset " + shoff);
        }
        if (shstrndx <= 0 || shstrndx >= shnum) {
            throw problem("section name table index " + shstrndx + " is out of range (" + shnum + " sections)");
        }
        ElfSection names = readHeader(shoff + (long) shstrndx * d.shdrSize, shstrndx, null);
        if (!names.inFile() || names.size() == 0 || u8(names.offset() + names.size() - 1) != 0) {
            throw problem("section name table (section " + shstrndx + ") is out of bounds or not NUL-terminated");
        }
        // Every header lies inside the file (checked above), so reading one later cannot fail.
        return new ElfFile(file, data, d, mach, shoff, (int) shnum, bytes(names));
    }

    private ElfSection readHeader(long at, int index, String name) throws KmodException {
        int type = (int) u32(at + d.shType);
        long flags = word(at + d.shFlags);
        long offset = word(at + d.shOffset);
        long size = word(at + d.shSize);
        int link = (int) u32(at + d.shLink);
        int info = (int) u32(at + d.shInfo);
        long entsize = word(at + d.shEntsize);
        return new ElfSection(index, name, type, flags, offset, size, link, info, entsize, inFile(offset, size));
    }

    private boolean inFile(long offset, long size) {
        return offset >= 0 && size >= 0 && offset <= data.limit() && size <= data.limit() - offset;
    }

    /** Section {@code index}'s header, read on first use; the index must be in range. */
    private ElfSection header(int index) {
        ElfSection s = headers[index];
        if (s == null) {
            long at = shoff + (long) index * d.shdrSize;
            try {
                long nameoff = u32(at + d.shName);
                String name = nameoff < sectionNames.length ? SectionNames.decode(sectionNames, (int) nameoff) : null;
                s = readHeader(at, index, name);
            } catch (KmodException e) {
                throw new IllegalStateException("section header " + index + " was checked to lie inside the file", e);
            }
            headers[index] = s;
        }
        return s;
    }

    /** True if section {@code index}'s name is {@code name}, compared in the name table without decoding it. */
    private boolean nameIs(int index, String name) {
        long nameoff = data.getInt((int) (shoff + (long) index * d.shdrSize + d.shName)) & 0xffffffffL;
        if (nameoff + name.length() >= sectionNames.length) {
            return false; // the table ends in a NUL, so a name that fits leaves room for it
        }
        int at = (int) nameoff;
        for (int i = 0; i < name.length(); i++) {
            if (sectionNames[at + i] != (byte) name.charAt(i) || name.charAt(i) > 0xff) {
                return false;
            }
        }
        return sectionNames[at + name.length()] == 0;
    }

    public String file() {
        return file;
    }

    public ElfDescriptor descriptor() {
        return d;
    }

    public boolean is64() {
        return d.is64();
    }

    public boolean isBigEndian() {
        return data.order() == ByteOrder.BIG_ENDIAN;
    }

    public int machine() {
        return machine;
    }

    public long size() {
        return data.limit();
    }

    /** All section headers, index 0 included. */
    public List<ElfSection> sections() {
        List<ElfSection> all = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            all.add(header(i));
        }
        return List.copyOf(all);
    }

    /**
     * The first section (from index 1) with this name whose contents lie inside the file,
     * as libkmod's {@code kmod_elf_get_section} finds it.
     */
    public Optional<ElfSection> find(String name) {
        for (int i = 1; i < shnum; i++) {
            if (nameIs(i, name) && header(i).inFile()) {
                return Optional.of(header(i));
            }
        }
        return Optional.empty();
    }

    /** True if {@code index} is a section (from index 1) named {@code name}. */
    public boolean isSection(int index, String name) {
        return index > 0 && index < shnum && nameIs(index, name);
    }

    /** The section with this index, checked. */
    public ElfSection section(int index) throws KmodException {
        if (index <= 0 || index >= shnum) {
            throw problem("section index " + index + " is out of range (" + shnum + " sections)");
        }
        return header(index);
    }

    /** A copy of a section's bytes. */
    public byte[] bytes(ElfSection s) throws KmodException {
        checkInFile(s);
        byte[] out = new byte[(int) s.size()];
        data.get((int) s.offset(), out);
        return out;
    }

    /**
     * A section's bytes from index 0 of an array that may be longer, and that is reused by the
     * next call when this file reads into reused {@link SymbolTable.Buffers}: for callers that
     * read it at once and keep nothing of it.
     */
    public byte[] sectionBytes(ElfSection s) throws KmodException {
        if (symbolBuffers == null) {
            return bytes(s);
        }
        checkInFile(s);
        byte[] into = symbolBuffers.section((int) s.size());
        data.get((int) s.offset(), into, 0, (int) s.size());
        return into;
    }

    /** Copies a section's bytes to the start of {@code into}, which must be large enough. */
    public void copy(ElfSection s, byte[] into) throws KmodException {
        checkInFile(s);
        data.get((int) s.offset(), into, 0, (int) s.size());
    }

    /** Raw bytes of the whole file from {@code offset} (for signatures). */
    public byte[] bytes(long offset, int length) throws KmodException {
        check(offset, length);
        byte[] out = new byte[length];
        data.get((int) offset, out);
        return out;
    }

    public void checkInFile(ElfSection s) throws KmodException {
        if (!s.inFile()) {
            throw problem("section " + describe(s) + " (offset " + s.offset() + ", size " + s.size()
                    + ") lies outside the file (" + data.limit() + " bytes)");
        }
    }

    /**
     * The NUL-separated strings of a section, empty strings dropped, a final unterminated
     * string kept: the splitting of libkmod's {@code kmod_elf_get_strings}.
     */
    public List<String> strings(ElfSection s) throws KmodException {
        byte[] b = sectionBytes(s); // one bulk copy: byte-wise reads of a mapped buffer are slow
        int end = (int) s.size();
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < end) {
            int j = i;
            while (j < end && b[j] != 0) {
                j++;
            }
            if (j > i) {
                out.add(new String(b, i, j - i, StandardCharsets.ISO_8859_1));
            }
            i = j + 1;
        }
        return out;
    }

    /** Symbols of {@code .symtab} named through {@code .strtab}, entry 0 skipped; empty if absent. */
    public List<ElfSymbol> symbols() throws KmodException {
        return symbolTable().symbols();
    }

    /** {@code .symtab} with {@code .strtab}, read once; empty if either is absent. */
    public SymbolTable symbolTable() throws KmodException {
        if (symbolCache == null) {
            Optional<ElfSection> symtab = find(".symtab");
            Optional<ElfSection> strtab = find(".strtab");
            symbolCache = symtab.isEmpty() || strtab.isEmpty() ? SymbolTable.EMPTY
                    : SymbolTable.read(this, symtab.get(), strtab.get(), symbolBuffers);
        }
        return symbolCache;
    }

    /** NUL-terminated string at {@code at}; the NUL must come before {@code end}. */
    public String cString(long at, long end) throws KmodException {
        check(at, 0);
        long limit = Math.min(end, data.limit());
        byte[] chunk = new byte[64]; // copied a chunk at a time: most names are short
        for (long from = at; from < limit; from += chunk.length) {
            int n = (int) Math.min(chunk.length, limit - from);
            data.get((int) from, chunk, 0, n);
            for (int k = 0; k < n; k++) {
                if (chunk[k] == 0) {
                    return latin1((int) at, (int) (from + k - at));
                }
            }
        }
        throw problem("unterminated string at offset " + at);
    }

    private String latin1(int at, int len) {
        byte[] b = new byte[len];
        data.get(at, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    public int u8(long at) throws KmodException {
        check(at, 1);
        return data.get((int) at) & 0xff;
    }

    public int u16(long at) throws KmodException {
        check(at, 2);
        return data.getShort((int) at) & 0xffff;
    }

    public long u32(long at) throws KmodException {
        check(at, 4);
        return data.getInt((int) at) & 0xffffffffL;
    }

    public long u64(long at) throws KmodException {
        check(at, 8);
        return data.getLong((int) at);
    }

    /** A class-sized word: 4 bytes in ELF32, 8 in ELF64 (unsigned; may be negative as a Java long). */
    public long word(long at) throws KmodException {
        return d.is64() ? u64(at) : u32(at);
    }

    private void check(long at, int len) throws KmodException {
        if (at < 0 || at > data.limit() - len) {
            throw problem("read of " + len + " bytes at offset " + at + " is beyond the end of the file ("
                    + data.limit() + " bytes)");
        }
    }

    private static String describe(ElfSection s) {
        return s.name() != null ? s.name() : "#" + s.index();
    }

    public KmodException problem(String what) {
        return KmodException.in(file, "malformed ELF: " + what);
    }

    @Override
    public String toString() {
        return file + " (ELF" + (d.is64() ? 64 : 32) + (isBigEndian() ? " MSB" : " LSB") + ", "
                + shnum + " sections)";
    }
}
