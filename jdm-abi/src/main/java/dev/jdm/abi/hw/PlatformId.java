package dev.jdm.abi.hw;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A platform device the driver binds by name, on its module class: a device that no bus
 * enumerates (a UART at the PC's legacy ports), described by the host's configuration instead. The
 * build records it as the module alias {@code platform:NAME}, as Linux's MODULE_ALIAS for a
 * platform driver.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(PlatformId.List.class)
@Provided
@Since("JDM_1.2")
public @interface PlatformId {
    /** The platform device's name: lower-case letters, digits, '-' and '_'. */
    String value();

    /** The container of repeated entries. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Provided
    @Since("JDM_1.2")
    @interface List {
        PlatformId[] value();
    }
}
