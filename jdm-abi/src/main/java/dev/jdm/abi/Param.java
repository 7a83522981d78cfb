package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A module parameter, given at load time as {@code name=value} and read through {@link Params}. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Param.List.class)
@Provided
public @interface Param {
    /** Parameter name. */
    String name();

    /** Value type, checked by the host before init. */
    Type type() default Type.STRING;

    /** What the parameter does. */
    String description() default "";

    /** Value used when the parameter is not given. */
    String defaultValue() default "";

    /** Parameter value types. */
    @Provided
    enum Type {
        /** Any text. */
        STRING,
        /** A signed 64-bit integer; accepts size suffixes K, M, G. */
        LONG,
        /** {@code 1/0, y/n, true/false, on/off}. */
        BOOL
    }

    /** Container for repeated {@link Param} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Provided
    @interface List {
        /** The parameters. */
        Param[] value();
    }
}
