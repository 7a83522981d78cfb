package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exports a public type of a module to other modules (the module's EXPORT_SYMBOL).
 *
 * <p>Its public members become symbols with fingerprints in the module's exports table, and a
 * module that uses them depends on this one. Mark it {@link Implemented} if other modules
 * implement it; otherwise it is treated as provided.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
public @interface Export {}
