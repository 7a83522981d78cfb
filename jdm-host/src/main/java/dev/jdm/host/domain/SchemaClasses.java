package dev.jdm.host.domain;

import dev.jdm.abi.chr.CharLayer;
import dev.jdm.symvers.JarContents;

/**
 * The classes of a module in a domain, defined in the host only so that a node's typed-call schema
 * can be read from its interface and records: the host derives the schema itself rather than
 * taking the domain's word for it. Nothing here is initialized (reflection on methods, record
 * components and enum constant fields runs no static initializer), so none of the module's code
 * runs in the host. Classes beyond the module's own and the ABI are not found.
 */
final class SchemaClasses extends ClassLoader {
    private final JarContents jar;

    SchemaClasses(String module, JarContents jar) {
        super("jdm-schema-" + module, CharLayer.class.getClassLoader());
        this.jar = jar;
    }

    /** The module's own classes first: they are the ones it runs with, whatever else the host's class path holds. */
    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null && jar.classes().containsKey(name.replace('.', '/'))) {
                c = findClass(name);
            }
            return c != null ? c : super.loadClass(name, resolve);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = jar.classes().get(name.replace('.', '/'));
        if (b == null) {
            throw new ClassNotFoundException(name + " is not in the module's JAR");
        }
        return defineClass(name, b, 0, b.length);
    }

    /**
     * The call interface named {@code name}, uninitialized.
     *
     * @throws IllegalArgumentException if the JAR has no such interface
     */
    Class<?> api(String node, String name) {
        try {
            Class<?> c = Class.forName(name, false, this);
            if (!c.isInterface() || c.getClassLoader() != this) {
                throw new IllegalArgumentException(node + ": typed calls: " + name + " is not an interface of the module");
            }
            return c;
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(node + ": typed calls: interface " + name + " cannot be read from the module's JAR: " + e);
        }
    }
}
