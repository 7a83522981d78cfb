package dev.jdm.host.module;

import dev.jdm.errno.Errno;
import dev.jdm.abi.Params;
import dev.jdm.host.HostException;
import dev.jdm.symvers.ModInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A module's parameter values: what was given at load time, checked against the declarations in
 * modinfo ({@code parmtype}, {@code parmdefault}) before init runs.
 */
final class ModuleParams implements Params {
    private final String module;
    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    /**
     * @throws HostException EINVAL naming the parameter if one is unknown or has a bad value
     */
    ModuleParams(ModInfo info, Map<String, String> given) {
        this.module = info.name();
        for (String t : info.all("parmtype")) {
            int c = t.indexOf(':');
            if (c > 0) {
                types.put(t.substring(0, c), t.substring(c + 1));
            }
        }
        for (String d : info.all("parmdefault")) {
            int c = d.indexOf(':');
            if (c > 0 && types.containsKey(d.substring(0, c))) {
                values.put(d.substring(0, c), d.substring(c + 1));
            }
        }
        for (var e : given.entrySet()) {
            if (!types.containsKey(e.getKey())) {
                throw new HostException(Errno.EINVAL, module + ": unknown parameter '" + e.getKey() + "'"
                        + (types.isEmpty() ? " (it declares none)" : " (declared: " + String.join(", ", types.keySet()) + ")"));
            }
            values.put(e.getKey(), e.getValue());
        }
        for (var e : types.entrySet()) {
            String v = values.getOrDefault(e.getKey(), "");
            switch (e.getValue()) {
                case "long" -> {
                    if (!v.isEmpty() || given.containsKey(e.getKey())) {
                        parseLong(e.getKey(), v);
                    }
                }
                case "bool" -> {
                    if (!v.isEmpty() || given.containsKey(e.getKey())) {
                        parseBool(e.getKey(), v);
                    }
                }
                default -> { }
            }
        }
    }

    @Override
    public String string(String name) {
        requireDeclared(name);
        return values.getOrDefault(name, "");
    }

    @Override
    public long longValue(String name) {
        requireDeclared(name);
        String v = values.getOrDefault(name, "");
        return v.isEmpty() ? 0 : parseLong(name, v);
    }

    @Override
    public boolean bool(String name) {
        requireDeclared(name);
        String v = values.getOrDefault(name, "");
        return !v.isEmpty() && parseBool(name, v);
    }

    /** The values, for modinfo-style display. */
    Map<String, String> values() {
        return Map.copyOf(values);
    }

    private void requireDeclared(String name) {
        if (!types.containsKey(name)) {
            throw new IllegalArgumentException(module + ": parameter '" + name + "' is not declared with @Param");
        }
    }

    private long parseLong(String name, String v) {
        String t = v.strip();
        long mult = 1;
        if (!t.isEmpty()) {
            switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
                case 'K' -> mult = 1L << 10;
                case 'M' -> mult = 1L << 20;
                case 'G' -> mult = 1L << 30;
                default -> { }
            }
            if (mult != 1) {
                t = t.substring(0, t.length() - 1);
            }
        }
        try {
            return Math.multiplyExact(Long.decode(t), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new HostException(Errno.EINVAL, module + ": parameter '" + name + "' takes an integer (with K/M/G), not \"" + v + "\"");
        }
    }

    private boolean parseBool(String name, String v) {
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "y", "yes", "true", "on" -> true;
            case "0", "n", "no", "false", "off" -> false;
            default -> throw new HostException(Errno.EINVAL, module + ": parameter '" + name + "' takes y/n, not \"" + v + "\"");
        };
    }
}
