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
 * <p>It replaces {@link Module}, whose name clashes with {@code java.lang.Module} as soon as a
 * source file imports {@code dev.jdm.abi.*}. Modules built with either load on every host.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
@Since("JDM_1.1")
public @interface DriverModule {
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

    /**
     * The oldest generation the module runs on (modinfo {@code abi=}); empty for the generation it
     * is built against. Below that, whatever the module uses from newer generations is optional: a
     * host that lacks it still loads the module, and the module probes with
     * {@link ModuleContext#abi()} before it uses it.
     */
    String abi() default "";

    /**
     * Whether the module carries or loads native code (modinfo {@code native=y}). Its Java may
     * then use the native linker, raw memory, files and its own resources, as its C can anyway;
     * the loader refuses to run it colocated unless the operator allows that
     * ({@code module.native_colocated}, which taints the host N), because only the kernel can
     * contain it. A JAR that carries native libraries without saying so is refused.
     */
    @Since("JDM_1.2")
    boolean nativeCode() default false;
}
