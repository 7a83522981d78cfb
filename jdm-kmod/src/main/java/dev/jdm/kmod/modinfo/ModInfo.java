package dev.jdm.kmod.modinfo;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.ElfSection;
import dev.jdm.kmod.io.ModuleFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A module's information: the .modinfo strings in section order, followed by the signature
 * fields when the module is signed, the list that libkmod's {@code kmod_module_get_info}
 * returns.
 *
 * @param name      module name (from the file name, '-' turned into '_'), or the built-in name
 * @param filename  the path as given, or null for a built-in module
 * @param entries   .modinfo key/value pairs in section order
 * @param signature the appended signature, if any
 */
public record ModInfo(String name, String filename, List<ModInfoEntry> entries, Optional<ModuleSignature> signature) {

    /** Reads .modinfo and the signature of an opened module. */
    public static ModInfo of(ModuleFile module, ElfFile elf) throws KmodException {
        ElfSection section = elf.find(".modinfo")
                .orElseThrow(() -> KmodException.in(module.path(), "no .modinfo section; is this a kernel module?"));
        List<ModInfoEntry> entries = new ArrayList<>();
        for (String s : elf.strings(section)) {
            entries.add(ModInfoEntry.parse(s));
        }
        return new ModInfo(ModuleNames.fromPath(module.path().toString()), module.path().toString(),
                List.copyOf(entries), SignatureReader.read(module.contents()));
    }

    /** Opens and reads a module file. */
    public static ModInfo read(java.nio.file.Path path) throws KmodException {
        ModuleFile module = ModuleFile.open(path);
        return of(module, module.elf());
    }

    public boolean isBuiltin() {
        return filename == null;
    }

    /** All values of one key, in order. */
    public List<String> values(String key) {
        List<String> out = new ArrayList<>();
        for (ModInfoEntry e : entries) {
            if (e.key().equals(key)) {
                out.add(e.value());
            }
        }
        return out;
    }

    /** The first value of a key. */
    public Optional<String> value(String key) {
        for (ModInfoEntry e : entries) {
            if (e.key().equals(key)) {
                return Optional.of(e.value());
            }
        }
        return Optional.empty();
    }

    /** Entries followed by the signature fields, as {@code kmod_module_get_info} lists them. */
    public List<ModInfoEntry> withSignature() {
        if (signature.isEmpty()) {
            return entries;
        }
        ModuleSignature s = signature.get();
        List<ModInfoEntry> all = new ArrayList<>(entries);
        all.add(new ModInfoEntry("sig_id", s.idType()));
        all.add(new ModInfoEntry("signer", s.signer()));
        all.add(new ModInfoEntry("sig_key", ModuleSignature.hex(s.keyId())));
        all.add(new ModInfoEntry("sig_hashalgo", s.hashAlgo()));
        all.add(new ModInfoEntry("signature", ModuleSignature.hex(s.signature())));
        return all;
    }
}
