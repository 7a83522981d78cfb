package dev.jdm.kmod.elf;

/** One .symtab entry; {@code shndx} is the raw 16-bit section index. */
public record ElfSymbol(int index, String name, long value, long size, int info, int shndx) {

    public int bind() {
        return (info >>> 4) & 0xf;
    }

    public int type() {
        return info & 0xf;
    }

    public boolean isUndefined() {
        return shndx == ElfDescriptor.SHN_UNDEF;
    }
}
