package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the entry class of a driver module and describes it (the module's modinfo).
 *
 * <p>The entry class implements {@link LoadableModule}. Its public constructor taking a
 * {@link ModuleContext} is the module's init; {@link LoadableModule#close()} is its exit.
 *
 * @deprecated since {@code JDM_1.1}: with {@code import dev.jdm.abi.*} the name is ambiguous with
 *     {@code java.lang.Module} and javac refuses the entry class. Use {@link DriverModule}, which
 *     has the same elements. Modules built with this one keep loading on every host.
 */
@Deprecated(since = "JDM_1.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
public @interface Module {
    /** Module name: lower case letters, digits, '-' and '_'. */
    String name();

    /** Module version, free form. */
    String version() default "";

    /** Licence; one not in the host's list of open licences taints the host (P). */
    String license();

    /** Author, repeated with commas if several. */
    String author() default "";

    /** One line saying what the module does. */
    String description() default "";
}
