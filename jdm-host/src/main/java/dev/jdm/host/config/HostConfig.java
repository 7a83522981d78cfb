package dev.jdm.host.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jdm.host.HostException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's configuration file (TOML):
 * <pre>
 * [paths]
 * socket = "/run/jdm/gate.sock"
 * state_dir = "/var/lib/jdm"
 * modules_dir = "/var/lib/jdm/modules"
 *
 * [sysctl]
 * "module.init_timeout_ms" = "5000"
 *
 * [[modules]]
 * name = "hello"
 * params = { greeting = "hi", count = "2" }
 *
 * [nbd]
 * socket = "/run/jdm/nbd.sock"   # "off" for none; default: nbd.sock beside the call-gate socket
 * tcp = "127.0.0.1:10809"        # "off" for none; other addresses only when written here
 *
 * [[nbd.memory]]                 # an in-memory device, exported under its name
 * name = "mem0"
 * size = "64M"
 * read_only = false
 * </pre>
 * Unknown keys are errors: a misspelt key silently ignored is a setting silently lost.
 *
 * @param paths where things live; flags override these
 * @param sysctl tunables set at start, before modules load
 * @param modules modules loaded at start, in order; null means the embedded default set
 * @param nbd the NBD server and its in-memory exports
 */
public record HostConfig(Paths paths, Map<String, String> sysctl, List<ModuleSpec> modules, Nbd nbd) {

    /**
     * The NBD server.
     *
     * @param socket Unix socket path, "off", or null for the default
     * @param tcp {@code host:port}, "off", or null for 127.0.0.1:10809
     * @param memory in-memory devices to create and export at start
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Nbd(String socket, String tcp, List<MemoryExport> memory) {
        public Nbd {
            memory = memory == null ? List.of() : List.copyOf(memory);
        }
    }

    /** An in-memory device exported at start; size like {@code 64M}, {@code 1G} or bytes. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record MemoryExport(String name, String size, @JsonProperty("read_only") boolean readOnly) {
        public MemoryExport {
            if (name == null || name.isBlank() || size == null || size.isBlank()) {
                throw new IllegalArgumentException("an [[nbd.memory]] entry needs a name and a size");
            }
        }
    }

    /**
     * The embedded default export: a sparse 256 MiB memory device named ram0. It stands in for
     * the ramdisk LU that the block layer provides.
     */
    public static final Nbd DEFAULT_NBD = new Nbd(null, null, List.of(new MemoryExport("ram0", "256M", false)));

    /** Paths; any may be null to take the default. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Paths(String socket, @JsonProperty("state_dir") String stateDir, @JsonProperty("modules_dir") String modulesDir) {}

    /** A module to load at start. */
    public record ModuleSpec(String name, Map<String, String> params) {
        public ModuleSpec {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a [[modules]] entry has no name");
            }
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }

    /** Modules the host loads when no configuration names any. */
    public static final List<ModuleSpec> DEFAULT_MODULES = List.of(new ModuleSpec("hello", Map.of()));

    /** The embedded defaults: no paths set, no sysctls, the default modules. */
    public static HostConfig defaults() {
        return new HostConfig(new Paths(null, null, null), Map.of(), DEFAULT_MODULES, DEFAULT_NBD);
    }

    public HostConfig {
        paths = paths == null ? new Paths(null, null, null) : paths;
        sysctl = sysctl == null ? Map.of() : new LinkedHashMap<>(sysctl);
        modules = modules == null ? DEFAULT_MODULES : List.copyOf(modules);
        nbd = nbd == null ? new Nbd(null, null, List.of()) : nbd;
    }

    /** The same without the nbd section (for callers that predate it). */
    public HostConfig(Paths paths, Map<String, String> sysctl, List<ModuleSpec> modules) {
        this(paths, sysctl, modules, null);
    }

    /**
     * Reads a configuration file.
     *
     * @throws HostException EINVAL naming the file, line and column of a syntax or schema error
     */
    public static HostConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new HostException(HostException.Code.ENOENT, "config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        TomlMapper mapper = TomlMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        try {
            return mapper.readValue(text, HostConfig.class);
        } catch (JsonMappingException e) {
            var loc = e.getLocation();
            throw new HostException(HostException.Code.EINVAL, "config " + file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid") + " (at " + e.getPathReference() + ")");
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new HostException(HostException.Code.EINVAL, "config " + file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid TOML"));
        }
    }
}
