package dev.jdm.host.module;

import java.util.Map;

/**
 * A module's own class loader. It sees exactly what the linker allowed: the module's classes, the
 * ABI, the JDK, and the exported types of its dependencies. Not a security boundary (the linker
 * and isolation are), but a second line against a class name the bytecode scan did not see.
 */
final class ModuleClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final String module;
    private final Map<String, byte[]> classes;
    private final ClassLoader abiLoader;
    private final Map<String, ClassLoader> dependencyTypes;
    private final Map<String, byte[]> nativeCode;

    /**
     * @param classes class bytes by binary name
     * @param dependencyTypes loader of each type the dependencies export, by binary name
     */
    ModuleClassLoader(String module, Map<String, byte[]> classes, ClassLoader abiLoader, Map<String, ClassLoader> dependencyTypes) {
        this(module, "", classes, abiLoader, dependencyTypes, Map.of());
    }

    /**
     * @param version the module's version: the loader is {@code jdm-module-NAME@VERSION}, which every
     *     stack frame of the module's code carries ({@code jdm-module-hello@1.0//t.Hello.init}),
     *     and {@code jcmd PID VM.classloaders} lists
     * @param nativeCode native libraries by entry name, served as resources: only to a module that declares native code
     */
    ModuleClassLoader(String module, String version, Map<String, byte[]> classes, ClassLoader abiLoader,
            Map<String, ClassLoader> dependencyTypes, Map<String, byte[]> nativeCode) {
        super(loaderName(module, version), null);
        this.module = module;
        this.classes = classes;
        this.abiLoader = abiLoader;
        this.dependencyTypes = dependencyTypes;
        this.nativeCode = nativeCode;
    }

    /** {@code jdm-module-NAME@VERSION}, or without the version if it has none. */
    static String loaderName(String module, String version) {
        return "jdm-module-" + module + (version == null || version.isEmpty() ? "" : "@" + version);
    }

    /**
     * A module's native library, which is how its code finds what to load; nothing else in the JAR
     * is a resource (modpost refuses resource lookups to ordinary modules, which get nothing here).
     */
    @Override
    public java.io.InputStream getResourceAsStream(String name) {
        byte[] bytes = nativeCode.get(name.startsWith("/") ? name.substring(1) : name);
        return bytes == null ? null : new java.io.ByteArrayInputStream(bytes);
    }

    String module() {
        return module;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                byte[] bytes = classes.get(name);
                if (bytes != null) {
                    c = defineClass(name, bytes, 0, bytes.length);
                } else if (name.startsWith("dev.jdm.abi.")) {
                    c = abiLoader.loadClass(name);
                } else if (dependencyTypes.containsKey(name)) {
                    c = dependencyTypes.get(name).loadClass(name);
                } else if (name.startsWith("java.") || name.startsWith("javax.")) {
                    c = ClassLoader.getPlatformClassLoader().loadClass(name);
                } else {
                    throw new ClassNotFoundException(name + " is not visible to module " + module);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}
