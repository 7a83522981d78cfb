package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The version of a typed call interface, shown in its schema (default 1). Compatibility is decided
 * by each method's fingerprint, not by this number: raise it when the interface changes, for people.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
@Since("JDM_1.2")
public @interface CallVersion {
    /** The version, from 1. */
    int value();
}
