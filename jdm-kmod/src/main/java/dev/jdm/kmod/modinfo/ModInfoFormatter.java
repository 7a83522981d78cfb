package dev.jdm.kmod.modinfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Formats a {@link ModInfo} byte for byte as kmod's {@code modinfo} tool prints it
 * (tools/modinfo.c: {@code modinfo_do} and {@code modinfo_params_do}).
 */
public final class ModInfoFormatter {
    private final String field;
    private final char separator;
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param field     only this field's values ({@code -F}), or null for everything
     * @param nulSeparated {@code -0}: NUL instead of newline
     */
    public ModInfoFormatter(String field, boolean nulSeparated) {
        this.field = field;
        this.separator = nulSeparated ? '\0' : '\n';
    }

    /** Messages kmod would print on stderr (e.g. a parm without ':'). */
    public List<String> warnings() {
        return warnings;
    }

    public String format(ModInfo info) {
        StringBuilder out = new StringBuilder(1024);
        String filename = info.filename();
        if (info.isBuiltin()) {
            if (field == null) {
                pad(out, "name:").append(info.name()).append(separator);
            } else if (field.equals("name")) {
                out.append(info.name()).append(separator);
            }
            filename = "(builtin)";
        }
        if ("filename".equals(field)) {
            return out.append(filename).append(separator).toString();
        } else if (field == null) {
            pad(out, "filename:").append(filename).append(separator);
        }
        List<ModInfoEntry> list = info.withSignature();
        Params params = new Params();
        if ("parm".equals(field)) {
            for (ModInfoEntry e : list) {
                if (e.key().equals("parm") || e.key().equals("parmtype")) {
                    params.add(e, warnings);
                }
            }
            for (Params.Param p : params.inPrintOrder()) {
                if (p.param == null) {
                    out.append(p.name).append(": (").append(p.type).append(')');
                } else if (p.type != null) {
                    out.append(p.name).append(':').append(p.param).append(" (").append(p.type).append(')');
                } else {
                    out.append(p.name).append(':').append(p.param);
                }
                out.append(separator);
            }
            return out.toString();
        }
        for (ModInfoEntry e : list) {
            if (field != null) {
                if (field.equals(e.key())) {
                    out.append(e.value()).append(separator);
                }
                continue;
            }
            if (e.key().equals("parm") || e.key().equals("parmtype")) {
                params.add(e, warnings);
                continue;
            }
            if (separator == '\0') {
                out.append(e.key()).append('=').append(e.value()).append(separator);
                continue;
            }
            // printf("%s:%-*s", key, 15 - keylen, ""): a negative width still pads (left-justified).
            out.append(e.key()).append(':');
            out.repeat(' ', Math.abs(15 - e.key().length()));
            out.append(e.value()).append(separator);
        }
        if (field != null) {
            return out.toString();
        }
        for (Params.Param p : params.inPrintOrder()) {
            pad(out, "parm:").append(p.name).append(':');
            if (p.param == null) {
                out.append(p.type);
            } else if (p.type != null) {
                out.append(p.param).append(" (").append(p.type).append(')');
            } else {
                out.append(p.param);
            }
            out.append(separator);
        }
        return out.toString();
    }

    private static StringBuilder pad(StringBuilder out, String label) {
        out.append(label);
        out.repeat(' ', Math.max(0, 16 - label.length()));
        return out;
    }

    /** parm and parmtype merged by name; kmod prepends each new name, so printing is newest first. */
    private static final class Params {
        static final class Param {
            final String name;
            String param;
            String type;

            Param(String name) {
                this.name = name;
            }
        }

        private final List<Param> list = new ArrayList<>();

        void add(ModInfoEntry e, List<String> warnings) {
            int colon = e.value().indexOf(':');
            if (colon < 0) {
                warnings.add("Found invalid \"" + e.key() + "=" + e.value() + "\": missing ':'");
                return;
            }
            String name = e.value().substring(0, colon);
            Param it = null;
            for (Param p : list) {
                if (p.name.equals(name)) {
                    it = p;
                    break;
                }
            }
            if (it == null) {
                it = new Param(name);
                list.add(it);
            }
            if (e.key().equals("parm")) {
                it.param = e.value().substring(colon + 1);
            } else {
                it.type = e.value().substring(colon + 1);
            }
        }

        List<Param> inPrintOrder() {
            return list.reversed();
        }
    }
}
