package dev.jdm.kmod.elf;

/**
 * One section header. {@code inFile} is false when {@code offset + size} runs past the end
 * of the file (SHT_NOBITS sections such as .bss, or a corrupt header); kmod skips such
 * sections when it looks a section up by name, and so does {@link ElfFile#find}.
 */
public record ElfSection(int index, String name, int type, long flags, long offset, long size,
                         int link, int info, long entsize, boolean inFile) {

    public boolean isAlloc() {
        return (flags & ElfDescriptor.SHF_ALLOC) != 0;
    }
}
