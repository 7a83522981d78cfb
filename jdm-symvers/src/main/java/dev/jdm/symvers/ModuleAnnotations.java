package dev.jdm.symvers;

import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.AnnotationValue;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns the {@code @DriverModule} (or JDM_1.0's {@code @Module}), {@code @Alias}, {@code @PciId}, {@code @UsbId}, {@code @PlatformId}, {@code @SoftDep} and {@code @Param} annotations of an entry class into modinfo entries. */
final class ModuleAnnotations {
    private static final String ALIAS = "Ldev/jdm/abi/Alias;";
    private static final String ALIASES = "Ldev/jdm/abi/Alias$List;";
    private static final String SOFTDEP = "Ldev/jdm/abi/SoftDep;";
    private static final String PARAM = "Ldev/jdm/abi/Param;";
    private static final String PARAMS = "Ldev/jdm/abi/Param$List;";

    private ModuleAnnotations() {}

    /**
     * The oldest generation the entry class says it runs on ({@code @DriverModule(abi = ...)}), or
     * empty for the one it is built against.
     */
    static String declaredAbi(ClassModel entryClass) {
        List<Annotation> annotations = TypeReader.annotations(entryClass.findAttribute(Attributes.runtimeVisibleAnnotations()));
        return annotations.stream().filter(a -> a.className().stringValue().equals(TypeReader.DRIVER_MODULE))
                .map(a -> string(a, "abi")).findFirst().orElse("");
    }

    /** Entries in modinfo order: name, version, license, author, description, alias, softdep, parm, parmtype. */
    static List<Map.Entry<String, String>> entries(ClassModel entryClass) {
        List<Annotation> annotations = TypeReader.annotations(entryClass.findAttribute(Attributes.runtimeVisibleAnnotations()));
        String site = entryClass.thisClass().asInternalName().replace('/', '.');
        List<Map.Entry<String, String>> out = new ArrayList<>();
        List<Annotation> marks = annotations.stream().filter(a -> a.className().stringValue().equals(TypeReader.DRIVER_MODULE)
                || a.className().stringValue().equals(TypeReader.MODULE)).toList();
        if (marks.isEmpty()) {
            throw new SymversException(site + " has no @DriverModule");
        }
        if (marks.size() > 1) {
            throw new SymversException(site + " carries both @DriverModule and the deprecated @Module; keep @DriverModule");
        }
        Annotation module = marks.getFirst();
        for (String key : List.of("name", "version", "license", "author", "description")) {
            String v = string(module, key);
            if (!v.isEmpty()) {
                out.add(Map.entry(key, oneLine(v, site, key)));
            }
        }
        if (value(module, "nativeCode") instanceof AnnotationValue.OfBoolean b && b.booleanValue()) {
            out.add(Map.entry("native", "y"));
        }
        for (Annotation a : annotations) {
            switch (a.className().stringValue()) {
                case ALIAS -> out.add(Map.entry("alias", oneLine(string(a, "value"), site, "alias")));
                case ALIASES -> nested(a).forEach(n -> out.add(Map.entry("alias", oneLine(string(n, "value"), site, "alias"))));
                case DeviceTableAliases.PCI_ID -> out.add(Map.entry("alias", DeviceTableAliases.pci(a, site)));
                case DeviceTableAliases.PCI_IDS -> nested(a).forEach(n -> out.add(Map.entry("alias", DeviceTableAliases.pci(n, site))));
                case DeviceTableAliases.PLATFORM_ID -> out.add(Map.entry("alias", DeviceTableAliases.platform(a, site)));
                case DeviceTableAliases.PLATFORM_IDS -> nested(a).forEach(n -> out.add(Map.entry("alias", DeviceTableAliases.platform(n, site))));
                case DeviceTableAliases.USB_ID -> out.add(Map.entry("alias", DeviceTableAliases.usb(a, site)));
                case DeviceTableAliases.USB_IDS -> nested(a).forEach(n -> out.add(Map.entry("alias", DeviceTableAliases.usb(n, site))));
                case SOFTDEP -> out.add(Map.entry("softdep", softdep(a)));
                case PARAM -> param(a, site, out);
                case PARAMS -> nested(a).forEach(n -> param(n, site, out));
                default -> { }
            }
        }
        return out;
    }

    private static void param(Annotation a, String site, List<Map.Entry<String, String>> out) {
        String name = string(a, "name");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new SymversException(site + ": @Param name \"" + name + "\" is not an identifier");
        }
        String type = enumValue(a, "type", "STRING").toLowerCase(java.util.Locale.ROOT);
        out.add(Map.entry("parm", name + ":" + oneLine(string(a, "description"), site, "parm")));
        out.add(Map.entry("parmtype", name + ":" + type));
        out.add(Map.entry("parmdefault", name + ":" + oneLine(string(a, "defaultValue"), site, "parm")));
    }

    private static String softdep(Annotation a) {
        StringBuilder sb = new StringBuilder();
        List<String> pre = strings(a, "pre");
        List<String> post = strings(a, "post");
        if (!pre.isEmpty()) {
            sb.append("pre: ").append(String.join(" ", pre));
        }
        if (!post.isEmpty()) {
            sb.append(sb.isEmpty() ? "" : " ").append("post: ").append(String.join(" ", post));
        }
        return sb.toString();
    }

    private static String oneLine(String v, String site, String key) {
        if (v.contains("\n") || v.contains("\r")) {
            throw new SymversException(site + ": @DriverModule " + key + " must be one line");
        }
        return v;
    }

    private static AnnotationValue value(Annotation a, String name) {
        for (AnnotationElement e : a.elements()) {
            if (e.name().stringValue().equals(name)) {
                return e.value();
            }
        }
        return null;
    }

    private static String string(Annotation a, String name) {
        return value(a, name) instanceof AnnotationValue.OfString s ? s.stringValue() : "";
    }

    private static String enumValue(Annotation a, String name, String dflt) {
        return value(a, name) instanceof AnnotationValue.OfEnum e ? e.constantName().stringValue() : dflt;
    }

    private static List<String> strings(Annotation a, String name) {
        if (value(a, name) instanceof AnnotationValue.OfArray arr) {
            return arr.values().stream().filter(v -> v instanceof AnnotationValue.OfString)
                    .map(v -> ((AnnotationValue.OfString) v).stringValue()).toList();
        }
        return List.of();
    }

    private static List<Annotation> nested(Annotation container) {
        if (value(container, "value") instanceof AnnotationValue.OfArray arr) {
            return arr.values().stream().filter(v -> v instanceof AnnotationValue.OfAnnotation)
                    .map(v -> ((AnnotationValue.OfAnnotation) v).annotation()).toList();
        }
        return List.of();
    }
}
