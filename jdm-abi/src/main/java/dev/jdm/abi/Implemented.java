package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an ABI type that modules implement and the host calls (a callback or driver interface).
 *
 * <p>A new abstract method breaks every implementation, so a module's fingerprint of an implemented
 * type covers its full set of abstract methods.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
public @interface Implemented {}
