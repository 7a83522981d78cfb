package dev.jdm.abi;

/** A module's parameters: the values given at load time, or the declared defaults. */
@Provided
public interface Params {
    /** The value of a declared parameter. */
    String string(String name);

    /** The value of a declared {@link Param.Type#LONG} parameter. */
    long longValue(String name);

    /** The value of a declared {@link Param.Type#BOOL} parameter. */
    boolean bool(String name);
}
