package dev.jdm.symvers;

import java.util.Objects;

/**
 * One ABI element a module can use, named like {@code dev.jdm.abi.mem.Kmem#kmalloc(JI)Ljava/lang/foreign/MemorySegment;}.
 *
 * <p>A type is its binary name; a method or constructor is {@code Owner#name(desc)ret}; a field is
 * {@code Owner#name:desc}. Owners are binary names with dots; descriptors are JVM descriptors.
 *
 * @param owner binary name of the declaring type (the type itself for a type symbol)
 * @param member member name, or {@code null} for a type symbol
 * @param descriptor JVM descriptor of the member, or {@code null} for a type symbol
 */
public record Symbol(String owner, String member, String descriptor) implements Comparable<Symbol> {

    /** What kind of element a symbol names. */
    public enum Kind { TYPE, METHOD, CONSTRUCTOR, FIELD }

    public Symbol {
        Objects.requireNonNull(owner, "owner");
        if ((member == null) != (descriptor == null)) {
            throw new IllegalArgumentException("member and descriptor go together: " + member + " " + descriptor);
        }
    }

    /** A type symbol from a binary name ({@code a.b.C$D}) or an internal name ({@code a/b/C$D}). */
    public static Symbol type(String name) {
        return new Symbol(name.replace('/', '.'), null, null);
    }

    /** A method or constructor symbol. */
    public static Symbol method(String owner, String name, String descriptor) {
        return new Symbol(owner.replace('/', '.'), name, descriptor);
    }

    /** A field symbol. */
    public static Symbol field(String owner, String name, String descriptor) {
        return new Symbol(owner.replace('/', '.'), name, descriptor);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the text if it is not a symbol
     */
    public static Symbol parse(String text) {
        int hash = text.indexOf('#');
        if (hash < 0) {
            requireName(text, text);
            return type(text);
        }
        String owner = text.substring(0, hash);
        String rest = text.substring(hash + 1);
        requireName(owner, text);
        int paren = rest.indexOf('(');
        int colon = rest.indexOf(':');
        if (paren > 0 && (colon < 0 || paren < colon)) {
            String desc = rest.substring(paren);
            if (desc.indexOf(')') < 0) {
                throw new IllegalArgumentException("not a symbol (method descriptor has no ')'): " + text);
            }
            return method(owner, rest.substring(0, paren), desc);
        }
        if (colon > 0 && colon < rest.length() - 1) {
            return field(owner, rest.substring(0, colon), rest.substring(colon + 1));
        }
        throw new IllegalArgumentException(
                "not a symbol: " + text + " (expected Type, Type#method(desc)ret or Type#field:desc)");
    }

    private static void requireName(String name, String text) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '(' || c == ';' || c == '/')) {
            throw new IllegalArgumentException("not a symbol: " + text);
        }
    }

    /** The element kind. */
    public Kind kind() {
        if (member == null) {
            return Kind.TYPE;
        }
        if (descriptor.startsWith("(")) {
            return member.equals("<init>") ? Kind.CONSTRUCTOR : Kind.METHOD;
        }
        return Kind.FIELD;
    }

    /** Internal name of the owner ({@code a/b/C}). */
    public String ownerInternal() {
        return owner.replace('.', '/');
    }

    @Override
    public String toString() {
        return switch (kind()) {
            case TYPE -> owner;
            case FIELD -> owner + "#" + member + ":" + descriptor;
            default -> owner + "#" + member + descriptor;
        };
    }

    @Override
    public int compareTo(Symbol other) {
        return toString().compareTo(other.toString());
    }
}
