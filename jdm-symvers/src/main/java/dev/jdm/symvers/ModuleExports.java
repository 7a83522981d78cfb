package dev.jdm.symvers;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The symbols one module exports to others: its {@code @Export} types, their members, and each
 * symbol's definition as the exporting module's classes give it.
 *
 * @param module exporting module's name
 * @param types the exported types
 * @param definitions definition of every exported symbol
 */
public record ModuleExports(String module, TypeWorld types, Map<Symbol, Definition> definitions) {

    /**
     * Computes the exports of a module from its own class files.
     *
     * @param abi the ABI, whose types exported signatures may reach
     * @param ownTypes all the module's types
     */
    public static ModuleExports compute(String module, AbiModel abi, TypeWorld ownTypes) {
        List<TypeInfo> exported = ownTypes.types().stream().filter(TypeInfo::exported).toList();
        TypeWorld exportedWorld = TypeWorld.of(exported);
        Fingerprinter fp = new Fingerprinter(TypeWorld.union(exportedWorld, abi.world()));
        Map<Symbol, Definition> defs = new TreeMap<>();
        for (Symbol s : Exports.symbolsOf(exported)) {
            defs.put(s, fp.define(s));
        }
        return new ModuleExports(module, exportedWorld, defs);
    }
}
