package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** An alias under which modprobe finds the module; a shell glob, matched with fnmatch rules. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(Alias.List.class)
@Provided
public @interface Alias {
    /** The alias pattern, e.g. {@code blk:ram*}. */
    String value();

    /** Container for repeated {@link Alias} annotations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Provided
    @interface List {
        /** The aliases. */
        Alias[] value();
    }
}
