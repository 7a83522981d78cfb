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
 * One entry of a driver's PCI ID table, on its module class. Fields left at {@link #ANY} match
 * every value. The build records each entry as the module alias
 * {@code pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X*}, with {@code *} for {@link #ANY}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(PciId.List.class)
@Provided
@Since("JDM_1.2")
public @interface PciId {
    /** Matches any value of a field. */
    int ANY = -1;

    int vendor();

    int device() default ANY;

    int subvendor() default ANY;

    int subdevice() default ANY;

    /** The class code's base class (byte 2 of the 24-bit class). */
    int baseClass() default ANY;

    int subClass() default ANY;

    int progIf() default ANY;

    /** The container of repeated entries. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Provided
    @Since("JDM_1.2")
    @interface List {
        PciId[] value();
    }
}
