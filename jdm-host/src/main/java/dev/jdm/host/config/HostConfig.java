package dev.jdm.host.config;

import dev.jdm.errno.Errno;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.jdm.host.HostException;
import dev.jdm.host.grant.GrantRule;
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
 * cleartext_beyond_loopback = false  # a TCP address beyond loopback needs tls mode "require" unless true
 *
 * [nbd.tls]                      # TLS on the TCP listener (NBD_OPT_STARTTLS)
 * mode = "require"               # off (default), on (offered) or require
 * certificates = "/etc/pki/jdm"  # ca-cert.pem, server-cert.pem, server-key.pem, as qemu and nbdkit read them
 * verify_peer = true             # clients need a certificate signed by ca-cert.pem
 *
 * [[nbd.tls.client]]             # a verified client certificate's subject acts as this uid and groups
 * subject = "CN=backup01"
 * uid = 34
 * gid = 34                       # default -1
 * groups = [6]
 *
 * [[nbd.export]]                 # a block-layer LU, exported once the modules have loaded
 * device = "ram0"
 * name = "ram0"                  # default: the device's name
 * read_only = false
 *
 * [[nbd.memory]]                 # an in-memory device, exported under its name
 * name = "mem0"
 * size = "64M"
 * read_only = false
 *
 * [[grant]]                      # files a module may be granted by a path it chose itself
 * module = "dde-nbdkit"          # or domain = "isolated:NAME" (or "colocated"): every module there
 * path = "/usr/lib/x86_64-linux-gnu"   # a file, or a directory and all beneath it (the default rule)
 * access = "ro"                  # ro (default) or rw
 *
 * [[device]]                     # a device on the emulated board, plugged at start (coldplug)
 * kind = "virtio-blk"            # or uart16550
 * params = { file = "/var/lib/jdm/vda.img", serial = "vda" }   # as jdm hw add takes them
 * </pre>
 * Unknown keys are errors: a misspelt key silently ignored is a setting silently lost.
 *
 * @param paths where things live; flags override these
 * @param sysctl tunables set at start, before modules load
 * @param modules modules loaded at start, in order; null means the embedded default set
 * @param nbd the NBD server and its in-memory exports
 * @param grants the grant policy's rules; null means {@link #DEFAULT_GRANTS}
 * @param devices devices plugged into the emulated board at start, before the start-up modules load
 */
public record HostConfig(Paths paths, Map<String, String> sysctl, List<ModuleSpec> modules, Nbd nbd,
        @JsonProperty("grant") List<GrantSpec> grants, @JsonProperty("device") List<DeviceSpec> devices) {

    /**
     * The NBD server.
     *
     * @param socket Unix socket path, "off", or null for the default
     * @param tcp {@code host:port}, "off", or null for 127.0.0.1:10809
     * @param memory in-memory devices to create and export at start
     * @param exports LUs to export after the start-up modules have loaded; null means ram0
     * @param tls TLS on the TCP listener; null means off
     * @param cleartextBeyondLoopback serve a TCP address beyond loopback without TLS required
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Nbd(String socket, String tcp, List<MemoryExport> memory, @JsonProperty("export") List<LuExport> exports, Tls tls,
            @JsonProperty("cleartext_beyond_loopback") boolean cleartextBeyondLoopback) {
        public Nbd {
            memory = memory == null ? List.of() : List.copyOf(memory);
            exports = exports == null ? DEFAULT_EXPORTS : List.copyOf(exports);
            tls = tls == null ? new Tls(null, null, false, null) : tls;
        }

        public Nbd(String socket, String tcp, List<MemoryExport> memory) {
            this(socket, tcp, memory, null, null, false);
        }

        public Nbd(String socket, String tcp, List<MemoryExport> memory, List<LuExport> exports) {
            this(socket, tcp, memory, exports, null, false);
        }
    }

    /**
     * {@code [nbd.tls]}: NBD_OPT_STARTTLS on the TCP listener.
     *
     * @param mode off, on or require; null means off
     * @param certificates directory with ca-cert.pem, server-cert.pem, server-key.pem
     * @param verifyPeer ask clients for a certificate signed by ca-cert.pem
     * @param clients certificate subjects and the credentials they act with
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Tls(String mode, String certificates, @JsonProperty("verify_peer") boolean verifyPeer,
            @JsonProperty("client") List<TlsClient> clients) {
        public Tls {
            clients = clients == null ? List.of() : List.copyOf(clients);
        }
    }

    /** {@code [[nbd.tls.client]]}: a verified certificate whose subject is {@code subject} acts as uid, gid and groups. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record TlsClient(String subject, Integer uid, Integer gid, List<Integer> groups) {
        public TlsClient {
            if (subject == null || subject.isBlank() || uid == null) {
                throw new IllegalArgumentException("an [[nbd.tls.client]] entry needs a subject (such as \"CN=backup01\") and a uid");
            }
            gid = gid == null ? -1 : gid;
            groups = groups == null ? List.of() : List.copyOf(groups);
        }
    }

    /** A block-layer LU exported at start; {@code name} defaults to the device's. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record LuExport(String device, String name, @JsonProperty("read_only") boolean readOnly) {
        public LuExport {
            if (device == null || device.isBlank()) {
                throw new IllegalArgumentException("an [[nbd.export]] entry needs a device");
            }
        }
    }

    /** The embedded default: the ramdisk's ram0, writable. */
    public static final List<LuExport> DEFAULT_EXPORTS = List.of(new LuExport("ram0", null, false));

    /** An in-memory device exported at start; size like {@code 64M}, {@code 1G} or bytes. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record MemoryExport(String name, String size, @JsonProperty("read_only") boolean readOnly) {
        public MemoryExport {
            if (name == null || name.isBlank() || size == null || size.isBlank()) {
                throw new IllegalArgumentException("an [[nbd.memory]] entry needs a name and a size");
            }
        }
    }

    /** The embedded default NBD server: default sockets, ram0 exported. */
    public static final Nbd DEFAULT_NBD = new Nbd(null, null, List.of(), DEFAULT_EXPORTS);

    /** Paths; any may be null to take the default. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Paths(String socket, @JsonProperty("state_dir") String stateDir, @JsonProperty("modules_dir") String modulesDir) {}

    /** A module to load at start. */
    /** {@code [[device]]}: a device of {@code kind} with its parameters (see {@code jdm hw add}). */
    public record DeviceSpec(String kind, Map<String, String> params) {
        public DeviceSpec {
            if (kind == null || kind.isBlank()) {
                throw new IllegalArgumentException("a [[device]] entry has no kind");
            }
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }

    public record ModuleSpec(String name, Map<String, String> params) {
        public ModuleSpec {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a [[modules]] entry has no name");
            }
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }

    /** {@code [[grant]]}: files a module (or every module of a domain) may be granted by path; access {@code ro} or {@code rw}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record GrantSpec(String module, String domain, String path, String access) {
        public GrantSpec {
            GrantRule.of(module, domain, path, access); // refused here, with the file's line, rather than at start
        }

        public GrantRule rule() {
            return GrantRule.of(module, domain, path, access);
        }
    }

    /**
     * The grant policy when no configuration gives one: the nbdkit environment may read, not write,
     * the system's shared objects, where Debian's nbdkit plugins (which it loads by name,
     * plugin=memory) and the libraries they link live; an isolated domain can open none itself.
     */
    public static final List<GrantSpec> DEFAULT_GRANTS = List.of(new GrantSpec("dde-nbdkit", null, "/usr/lib/x86_64-linux-gnu", "ro"));

    /** Modules the host loads when no configuration names any. */
    public static final List<ModuleSpec> DEFAULT_MODULES = List.of(new ModuleSpec("hello", Map.of()), new ModuleSpec("caps", Map.of()),
            new ModuleSpec("devacl", Map.of()), new ModuleSpec("audit", Map.of()), new ModuleSpec("ramdisk", Map.of()),
            new ModuleSpec("chr-mem", Map.of()), new ModuleSpec("chr-input", Map.of()));

    /**
     * A host embedded in a tool (jdm sweep of paths): everything under {@code runDir}, no start-up
     * modules, no NBD listeners and nothing exported.
     */
    public static HostConfig embedded(java.nio.file.Path runDir) {
        return new HostConfig(new Paths(runDir.resolve("gate.sock").toString(), runDir.resolve("state").toString(),
                runDir.resolve("modules").toString()), Map.of(), List.of(), new Nbd("off", "off", List.of(), List.of()), List.of());
    }

    /** The embedded defaults: no paths set, no sysctls, the default modules. */
    public static HostConfig defaults() {
        return new HostConfig(new Paths(null, null, null), Map.of(), DEFAULT_MODULES, DEFAULT_NBD, DEFAULT_GRANTS);
    }

    public HostConfig {
        paths = paths == null ? new Paths(null, null, null) : paths;
        sysctl = sysctl == null ? Map.of() : new LinkedHashMap<>(sysctl);
        modules = modules == null ? DEFAULT_MODULES : List.copyOf(modules);
        nbd = nbd == null ? new Nbd(null, null, List.of()) : nbd;
        grants = grants == null ? DEFAULT_GRANTS : List.copyOf(grants);
        devices = devices == null ? List.of() : List.copyOf(devices);
    }

    /** The same with no devices on the emulated board. */
    public HostConfig(Paths paths, Map<String, String> sysctl, List<ModuleSpec> modules, Nbd nbd, List<GrantSpec> grants) {
        this(paths, sysctl, modules, nbd, grants, null);
    }

    /** The same with the default grant policy (for callers that predate it). */
    public HostConfig(Paths paths, Map<String, String> sysctl, List<ModuleSpec> modules, Nbd nbd) {
        this(paths, sysctl, modules, nbd, null);
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
            throw new HostException(Errno.ENOENT, "config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        TomlMapper mapper = TomlMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        try {
            return mapper.readValue(text, HostConfig.class);
        } catch (JsonMappingException e) {
            var loc = e.getLocation();
            throw new HostException(Errno.EINVAL, "config " + file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid") + " (at " + e.getPathReference() + ")");
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new HostException(Errno.EINVAL, "config " + file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr())
                    + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid TOML"));
        }
    }
}
