package dev.jdm.dde.nbdkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct nbdkit_plugin} as nbdkit 1.32's {@code nbdkit-plugin.h} declares it, read from the
 * pointer that {@code plugin_init} returns.
 *
 * <p>The struct is append-only: new fields go at the end, and {@code _struct_size} says how much of
 * it the plugin was compiled with. A field that lies beyond {@code _struct_size} reads as absent
 * (NULL or 0), as nbdkit does by copying only {@code _struct_size} bytes into a zeroed struct; a
 * longer struct from a newer header is fine, its tail is not ours to read.
 *
 * <p>Five callbacks have two slots. API 1 plugins fill the first group ({@code pread(h, buf,
 * count, offset)} with no flags, {@code zero(..., int may_trim)}); API 2 plugins leave it empty and
 * fill the second, where every data callback takes {@code uint32_t flags}.
 */
final class PluginDescriptor {
    /** The layout, field for field (x86_64: pointers and uint64_t are 8 bytes, int is 4). */
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("_struct_size"),
            JAVA_INT.withName("_api_version"),
            JAVA_INT.withName("_thread_model"),
            ADDRESS.withName("name"),
            ADDRESS.withName("longname"),
            ADDRESS.withName("version"),
            ADDRESS.withName("description"),
            ADDRESS.withName("load"),
            ADDRESS.withName("unload"),
            ADDRESS.withName("config"),
            ADDRESS.withName("config_complete"),
            ADDRESS.withName("config_help"),
            ADDRESS.withName("open"),
            ADDRESS.withName("close"),
            ADDRESS.withName("get_size"),
            ADDRESS.withName("can_write"),
            ADDRESS.withName("can_flush"),
            ADDRESS.withName("is_rotational"),
            ADDRESS.withName("can_trim"),
            // API 1 data callbacks; "_pread_v1" and so on in an API 2 header.
            ADDRESS.withName("pread_v1"),
            ADDRESS.withName("pwrite_v1"),
            ADDRESS.withName("flush_v1"),
            ADDRESS.withName("trim_v1"),
            ADDRESS.withName("zero_v1"),
            JAVA_INT.withName("errno_is_preserved"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("dump_plugin"),
            ADDRESS.withName("can_zero"),
            ADDRESS.withName("can_fua"),
            // API 2 data callbacks with flags; "_unused1" to "_unused5" in an API 1 header.
            ADDRESS.withName("pread"),
            ADDRESS.withName("pwrite"),
            ADDRESS.withName("flush"),
            ADDRESS.withName("trim"),
            ADDRESS.withName("zero"),
            ADDRESS.withName("magic_config_key"),
            ADDRESS.withName("can_multi_conn"),
            ADDRESS.withName("can_extents"),
            ADDRESS.withName("extents"),
            ADDRESS.withName("can_cache"),
            ADDRESS.withName("cache"),
            ADDRESS.withName("thread_model"),
            ADDRESS.withName("can_fast_zero"),
            ADDRESS.withName("preconnect"),
            ADDRESS.withName("get_ready"),
            ADDRESS.withName("after_fork"),
            ADDRESS.withName("list_exports"),
            ADDRESS.withName("default_export"),
            ADDRESS.withName("export_description"),
            ADDRESS.withName("cleanup"),
            ADDRESS.withName("block_size"));

    /** The fields the environment reads, each with its place in {@link #LAYOUT}. */
    enum Field {
        NAME("name"), LONGNAME("longname"), VERSION("version"), DESCRIPTION("description"),
        LOAD("load"), UNLOAD("unload"), CONFIG("config"), CONFIG_COMPLETE("config_complete"),
        CONFIG_HELP("config_help"), OPEN("open"), CLOSE("close"), GET_SIZE("get_size"),
        CAN_WRITE("can_write"), CAN_FLUSH("can_flush"), IS_ROTATIONAL("is_rotational"), CAN_TRIM("can_trim"),
        PREAD_V1("pread_v1"), PWRITE_V1("pwrite_v1"), FLUSH_V1("flush_v1"), TRIM_V1("trim_v1"), ZERO_V1("zero_v1"),
        ERRNO_IS_PRESERVED("errno_is_preserved"), CAN_ZERO("can_zero"), CAN_FUA("can_fua"),
        PREAD("pread"), PWRITE("pwrite"), FLUSH("flush"), TRIM("trim"), ZERO("zero"),
        MAGIC_CONFIG_KEY("magic_config_key"), CAN_MULTI_CONN("can_multi_conn"), CAN_EXTENTS("can_extents"),
        EXTENTS("extents"), CAN_CACHE("can_cache"), CACHE("cache"), THREAD_MODEL("thread_model"),
        CAN_FAST_ZERO("can_fast_zero"), PRECONNECT("preconnect"), GET_READY("get_ready"),
        AFTER_FORK("after_fork"), DEFAULT_EXPORT("default_export"), CLEANUP("cleanup");

        final long offset;
        final long size;

        Field(String name) {
            PathElement e = PathElement.groupElement(name);
            this.offset = LAYOUT.byteOffset(e);
            this.size = LAYOUT.select(e).byteSize();
        }
    }

    /** Up to and including {@code _thread_model}: what every plugin must have. */
    static final long HEADER_SIZE = LAYOUT.byteOffset(PathElement.groupElement("name"));

    private final MemorySegment struct;
    private final long structSize;

    private PluginDescriptor(MemorySegment struct, long structSize) {
        this.struct = struct;
        this.structSize = structSize;
    }

    /** Wraps what plugin_init returned; checks only that the header is there. */
    static PluginDescriptor at(MemorySegment pointer) {
        long declared = pointer.reinterpret(HEADER_SIZE).get(JAVA_LONG, 0);
        long readable = Math.min(Math.max(declared, 0), LAYOUT.byteSize());
        return new PluginDescriptor(pointer.reinterpret(Math.max(readable, HEADER_SIZE)), declared);
    }

    long structSize() {
        return structSize;
    }

    int apiVersion() {
        return struct.get(JAVA_INT, LAYOUT.byteOffset(PathElement.groupElement("_api_version")));
    }

    int threadModel() {
        return struct.get(JAVA_INT, LAYOUT.byteOffset(PathElement.groupElement("_thread_model")));
    }

    boolean present(Field f) {
        return f.offset + f.size <= structSize;
    }

    /** A function pointer or string pointer, NULL when absent. */
    MemorySegment address(Field f) {
        return present(f) ? struct.get(ValueLayout.ADDRESS, f.offset) : MemorySegment.NULL;
    }

    boolean has(Field f) {
        return !address(f).equals(MemorySegment.NULL);
    }

    /** A {@code const char *} field, or null. */
    String string(Field f) {
        return NativeStrings.read(address(f));
    }

    int intField(Field f) {
        return present(f) ? struct.get(JAVA_INT, f.offset) : 0;
    }
}
