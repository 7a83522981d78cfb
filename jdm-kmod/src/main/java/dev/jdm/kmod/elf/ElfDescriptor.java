package dev.jdm.kmod.elf;

/**
 * Byte layout of the ELF structures jdm-kmod reads, as named offsets (one instance per ELF
 * class), in the style of Agrona's descriptor classes. Offsets follow {@code <elf.h>}.
 */
public final class ElfDescriptor {
    // e_ident, shared by both classes
    public static final int EI_NIDENT = 16;
    public static final int EI_CLASS = 4;
    public static final int EI_DATA = 5;
    public static final byte ELFCLASS32 = 1;
    public static final byte ELFCLASS64 = 2;
    public static final byte ELFDATA2LSB = 1;
    public static final byte ELFDATA2MSB = 2;
    public static final byte[] ELFMAG = {0x7f, 'E', 'L', 'F'};

    // special section indexes and types
    public static final int SHN_UNDEF = 0;
    public static final int SHN_LORESERVE = 0xff00;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_XINDEX = 0xffff;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_SYMTAB_SHNDX = 18;
    public static final long SHF_ALLOC = 0x2;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;
    public static final int STT_REGISTER = 13;
    public static final int EM_SPARC = 2;
    public static final int EM_SPARCV9 = 43;

    public static final ElfDescriptor ELF32 = new ElfDescriptor(false);
    public static final ElfDescriptor ELF64 = new ElfDescriptor(true);

    /** Size of a pointer-sized word ({@code ElfN_Addr}, {@code ElfN_Off}). */
    public final int wordSize;

    // Elf32_Ehdr / Elf64_Ehdr
    public final int ehdrSize;
    public final int eMachine = 18;
    public final int eShoff;
    public final int eShentsize;
    public final int eShnum;
    public final int eShstrndx;

    // Elf32_Shdr / Elf64_Shdr
    public final int shdrSize;
    public final int shName = 0;
    public final int shType = 4;
    public final int shFlags = 8;
    public final int shOffset;
    public final int shSize;
    public final int shLink;
    public final int shInfo;
    public final int shEntsize;

    // Elf32_Sym / Elf64_Sym: the two classes order the fields differently
    public final int symSize;
    public final int stName = 0;
    public final int stValue;
    public final int stSize;
    public final int stInfo;
    public final int stOther;
    public final int stShndx;

    /** {@code struct modversion_info}: a CRC word then the name, 64 bytes in all. */
    public static final int MODVERSION_ENTRY_SIZE = 64;

    private ElfDescriptor(boolean is64) {
        wordSize = is64 ? 8 : 4;
        ehdrSize = is64 ? 64 : 52;
        eShoff = is64 ? 40 : 32;
        eShentsize = is64 ? 58 : 46;
        eShnum = is64 ? 60 : 48;
        eShstrndx = is64 ? 62 : 50;

        shdrSize = is64 ? 64 : 40;
        shOffset = is64 ? 24 : 16;
        shSize = is64 ? 32 : 20;
        shLink = is64 ? 40 : 24;
        shInfo = is64 ? 44 : 28;
        shEntsize = is64 ? 56 : 36;

        symSize = is64 ? 24 : 16;
        stValue = is64 ? 8 : 4;
        stSize = is64 ? 16 : 8;
        stInfo = is64 ? 4 : 12;
        stOther = is64 ? 5 : 13;
        stShndx = is64 ? 6 : 14;
    }

    public boolean is64() {
        return wordSize == 8;
    }
}
