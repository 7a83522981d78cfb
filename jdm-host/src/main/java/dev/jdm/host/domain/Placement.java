package dev.jdm.host.domain;

import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;

/**
 * Where one module runs, from its {@code domain=} host parameter: {@code colocated} (the default),
 * {@code isolated} (the domain named {@code default}) or {@code isolated:NAME}.
 *
 * @param domain the domain's name, or null when colocated
 */
public record Placement(String domain) {
    public static final String PARAM = "domain";
    public static final Placement COLOCATED = new Placement(null);

    /** @throws HostException EINVAL naming the value if it is none of the three forms */
    public static Placement parse(String module, String value) {
        if (value == null || value.equals("colocated")) {
            return COLOCATED;
        }
        if (value.equals("isolated")) {
            return new Placement("default");
        }
        if (value.startsWith("isolated:") && value.substring(9).matches("[A-Za-z0-9_.-]{1,64}")) {
            return new Placement(value.substring(9));
        }
        throw new HostException(Errno.EINVAL, module + ": domain=\"" + value
                + "\" is not colocated, isolated or isolated:NAME (NAME 1-64 of [A-Za-z0-9_.-])");
    }

    /** The host parameter that says whether a crashed domain holding the module is restarted. */
    public static final String RECOVERY = "recovery";

    /**
     * Checks {@code recovery=}: {@code restart} (the default) or {@code fail}, for a driver whose
     * data lives in the domain's own memory (a ramdisk), which a restart would silently lose; only
     * for isolated modules.
     *
     * @throws HostException EINVAL naming the value
     */
    public static void checkRecovery(String module, Placement placement, String value) {
        if (value == null) {
            return;
        }
        if (!value.equals("restart") && !value.equals("fail")) {
            throw new HostException(Errno.EINVAL, module + ": recovery=\"" + value + "\" is not restart or fail");
        }
        if (!placement.isolated()) {
            throw new HostException(Errno.EINVAL, module + ": recovery=" + value + " applies to isolated modules only (add domain=isolated[:NAME])");
        }
    }

    /** Whether a crash of the module's domain may restart it. */
    static boolean restartable(dev.jdm.host.module.ModuleSite site) {
        return !"fail".equals(site.hostParam(RECOVERY).orElse(null));
    }

    public boolean isolated() {
        return domain != null;
    }

    @Override
    public String toString() {
        return domain == null ? "colocated" : "isolated:" + domain;
    }
}
