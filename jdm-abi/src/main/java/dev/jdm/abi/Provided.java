package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an ABI type that the host implements and modules only use.
 *
 * <p>Adding members to a provided type is compatible, so a module's fingerprint of it covers only
 * its identity, kind, finality, sealing and compile-time constants.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
public @interface Provided {}
