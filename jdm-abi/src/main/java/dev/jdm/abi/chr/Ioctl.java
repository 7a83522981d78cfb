package dev.jdm.abi.chr;

import dev.jdm.abi.Provided;
import dev.jdm.abi.Since;

/**
 * The kernel's ioctl command encoding ({@code _IOC}, asm-generic/ioctl.h): bits 0-7 the number,
 * 8-15 the type (a driver's letter), 16-29 the argument's size, 30-31 the direction. Directions are
 * the caller's view: {@link #WRITE} copies the argument to the driver, {@link #READ} back.
 */
@Provided
@Since("JDM_1.2")
public final class Ioctl {
    /** No argument. */
    public static final int NONE = 0;
    /** The argument goes to the driver. */
    public static final int WRITE = 1;
    /** The argument comes back from the driver. */
    public static final int READ = 2;
    /** Largest argument size (14 bits). */
    public static final int MAX_SIZE = (1 << 14) - 1;

    private Ioctl() {}

    /**
     * {@code _IOC(dir, type, nr, size)}.
     *
     * @throws IllegalArgumentException naming the field out of range
     */
    public static int ioc(int dir, int type, int nr, int size) {
        check(dir, 3, "direction");
        check(type, 0xff, "type");
        check(nr, 0xff, "number");
        check(size, MAX_SIZE, "size");
        return dir << 30 | size << 16 | type << 8 | nr;
    }

    /** {@code _IO(type, nr)}: no argument. */
    public static int io(int type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, size)}: the driver fills {@code size} bytes. */
    public static int ior(int type, int nr, int size) {
        return ioc(READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, size)}: the driver reads {@code size} bytes. */
    public static int iow(int type, int nr, int size) {
        return ioc(WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, size)}: both. */
    public static int iowr(int type, int nr, int size) {
        return ioc(READ | WRITE, type, nr, size);
    }

    /** {@code _IOC_DIR(cmd)}. */
    public static int dir(int cmd) {
        return cmd >>> 30;
    }

    /** {@code _IOC_TYPE(cmd)}. */
    public static int type(int cmd) {
        return cmd >>> 8 & 0xff;
    }

    /** {@code _IOC_NR(cmd)}. */
    public static int nr(int cmd) {
        return cmd & 0xff;
    }

    /** {@code _IOC_SIZE(cmd)}. */
    public static int size(int cmd) {
        return cmd >>> 16 & MAX_SIZE;
    }

    private static void check(int v, int max, String what) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException("ioctl " + what + " " + v + " is outside 0.." + max);
        }
    }
}
