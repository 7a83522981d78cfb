package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The errors a typed call declares, as errno numbers ({@link CharStatus}); they are part of its
 * schema. A {@link CharException} with any other errno reaches the caller as EIO.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Provided
@Since("JDM_1.2")
public @interface Raises {
    /** The errno numbers. */
    int[] value();
}
