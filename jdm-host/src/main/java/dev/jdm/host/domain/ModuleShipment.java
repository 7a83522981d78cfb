package dev.jdm.host.domain;

import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.shm.SharedRegion;
import dev.jdm.symvers.JarContents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * How a module travels to a domain process: the JAR rebuilt from what the host read and checked, in
 * a shared region whose descriptor goes with the LOAD or PREPARE frame (a JAR can be megabytes; the
 * control socket carries only the frame), and the frame's payload (name, origin, force, parameters).
 */
final class ModuleShipment {
    private ModuleShipment() {}

    /**
     * The module as a JAR, written from what the host read: classes, {@code META-INF/jdm} and, for a
     * module that declares it, its native libraries. The domain reads exactly these back; nothing
     * the host did not check reaches it.
     */
    static byte[] jarBytes(JarContents jar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : jar.metadata().entrySet()) {
                put(zip, "META-INF/jdm/" + e.getKey(), e.getValue());
            }
            for (var e : jar.classes().entrySet()) {
                put(zip, e.getKey() + ".class", e.getValue());
            }
            for (var e : jar.nativeCode().entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
        }
        return out.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The JAR in a shared region of its own; the caller closes it once the frame is sent. */
    static SharedRegion jarFile(String module, byte[] bytes) throws IOException {
        SharedRegion jarFile = SharedRegion.create("jdm-jar-" + module, DomainProtocol.pages(bytes.length));
        MemorySegment.copy(bytes, 0, jarFile.segment(), ValueLayout.JAVA_BYTE, 0, bytes.length);
        return jarFile;
    }

    /**
     * LOAD's and PREPARE's payload: the module as the host loaded it, what its security registrar
     * answers without asking (mode=permissive, the host's uid), the module memory limit the host
     * would hold it to ({@code kmem.module_limit_bytes}, as it reads now), and the JAR's length.
     */
    static byte[] loadPayload(ModuleSite site, byte[] jar, long kmemLimit) {
        DomainProtocol.Writer w = new DomainProtocol.Writer().name(site.name()).message(site.request().origin()).b(site.request().force());
        Map<String, String> params = site.request().params();
        w.i(params.size());
        params.forEach((k, v) -> w.message(k).message(v));
        w.b("permissive".equals(site.hostParam("mode").orElse(null))).i(dev.jdm.host.sys.Libc.getuid()).l(kmemLimit);
        return w.l(jar.length).bytes();
    }
}
