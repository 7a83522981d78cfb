package dev.jdm.abi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Modules that modprobe loads before ({@code pre}) or after ({@code post}) this one, if they exist. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Provided
public @interface SoftDep {
    /** Loaded before this module. */
    String[] pre() default {};

    /** Loaded after this module. */
    String[] post() default {};
}
