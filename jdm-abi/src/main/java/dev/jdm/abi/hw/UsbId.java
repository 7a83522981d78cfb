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
 * One entry of a USB driver's ID table, on its module class; USB drivers bind interfaces. Fields
 * left at {@link #ANY} match every value. The build records each entry as the module alias
 * {@code usb:v%04Xp%04Xd*dc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin*}, with {@code *} for {@link #ANY},
 * as Linux's file2alias writes a {@code usb_device_id}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(UsbId.List.class)
@Provided
@Since("JDM_1.2")
public @interface UsbId {
    /** Matches any value of a field. */
    int ANY = -1;

    int vendor() default ANY;

    int product() default ANY;

    int deviceClass() default ANY;

    int deviceSubClass() default ANY;

    int deviceProtocol() default ANY;

    int interfaceClass() default ANY;

    int interfaceSubClass() default ANY;

    int interfaceProtocol() default ANY;

    /** The container of repeated entries. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @Provided
    @Since("JDM_1.2")
    @interface List {
        UsbId[] value();
    }
}
