package dev.jdm.host.wiring;

import dev.jdm.host.HostException;
import dev.jdm.host.config.NbdOptions;
import dev.jdm.errno.Errno;
import dev.jdm.abi.LogLevel;
import dev.jdm.host.block.BlockRegistry;
import dev.jdm.host.config.HostConfig;
import dev.jdm.host.export.ExportService;
import dev.jdm.host.export.LuDevices;
import dev.jdm.host.export.nbd.NbdConfig;
import dev.jdm.host.export.nbd.NbdLimits;
import dev.jdm.host.export.nbd.NbdServer;
import dev.jdm.host.export.nbd.tls.ClientIdentity;
import dev.jdm.host.export.nbd.tls.TlsMode;
import dev.jdm.host.export.nbd.tls.TlsSettings;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.security.Security;
import dev.jdm.host.sysctl.Sysctl;
import dev.jdm.host.task.TaskRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The host's exports: the export service over the block layer's LUs, the NBD server with its
 * listeners, and what the configuration and flags ask to export at start. Memory devices and the
 * listeners come up before the start-up modules load; LU exports after, once the LUs exist.
 */
public final class HostExports implements AutoCloseable {
    private final ExportService service = new ExportService();
    private final NbdServer nbd;
    private final BlockRegistry block;
    private final LogRing log;
    private final Consumer<String> startupError;

    public HostExports(NbdOptions flags, HostConfig.Nbd conf, Path gateSocket, BlockRegistry block, TaskRegistry tasks, Security security,
            Sysctl sysctl, LogRing log, Consumer<String> startupError) {
        this.block = block;
        this.log = log;
        this.startupError = startupError;
        NbdConfig config = nbdConfig(flags, conf, gateSocket, sysctl);
        this.nbd = config.socket() == null && config.tcp() == null ? null
                : new NbdServer(config, service.registry(), tasks, new SecurityExportAccess(security, sysctl, service.registry()), log);
        service.deviceSource(new LuDevices(block));
    }

    private static NbdConfig nbdConfig(NbdOptions flags, HostConfig.Nbd conf, Path gateSocket, Sysctl sysctl) {
        Path socket = flags.socket() != null ? flags.socket().toAbsolutePath()
                : "off".equals(conf.socket()) ? null
                : conf.socket() != null ? Path.of(conf.socket()).toAbsolutePath()
                : gateSocket.resolveSibling("nbd.sock");
        String tcp = flags.tcp() != null ? flags.tcp() : conf.tcp() != null ? conf.tcp() : "127.0.0.1:" + NbdConfig.DEFAULT_PORT;
        return NbdConfig.of(socket, "off".equals(tcp) ? null : tcpAddress(tcp)).withTls(tls(flags, conf.tls()), conf.cleartextBeyondLoopback())
                .withLimits(NbdLimits.of(sysctl));
    }

    /** TLS from the flags over {@code [nbd.tls]}; identities come only from the configuration. */
    private static TlsSettings tls(NbdOptions flags, HostConfig.Tls conf) {
        try {
            String m = flags.tls() != null ? flags.tls() : conf.mode();
            TlsMode mode = m == null ? TlsMode.OFF : TlsMode.parse(m);
            Path dir = flags.tlsCertificates() != null ? flags.tlsCertificates()
                    : conf.certificates() != null ? Path.of(conf.certificates()) : null;
            boolean verify = flags.tlsVerifyPeer() != null ? flags.tlsVerifyPeer() : conf.verifyPeer();
            List<ClientIdentity> clients = conf.clients().stream()
                    .map(c -> ClientIdentity.of(c.subject(), c.uid(), c.gid(), c.groups())).toList();
            return new TlsSettings(mode, dir == null ? null : dir.toAbsolutePath(), verify, clients);
        } catch (IllegalArgumentException e) {
            throw new HostException(Errno.EINVAL, e.getMessage());
        }
    }

    /** Parses {@code host:port} ({@code [v6]:port} for IPv6). */
    static InetSocketAddress tcpAddress(String text) {
        int colon = text.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(text.substring(colon + 1));
            String h = text.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(h, port);
        } catch (NumberFormatException e) {
            throw new HostException(Errno.EINVAL, "NBD TCP address \"" + text + "\" is not HOST:PORT (or off)");
        }
    }

    /** Creates and exports the memory devices, then starts listening. */
    public void start(HostConfig.Nbd conf, NbdOptions flags) {
        List<HostConfig.MemoryExport> memory = new ArrayList<>(conf.memory());
        for (String m : flags.memory()) {
            int colon = m.lastIndexOf(':');
            if (colon <= 0) {
                startupError.accept("--nbd-memory " + m + ": expected NAME:SIZE");
                continue;
            }
            memory.add(new HostConfig.MemoryExport(m.substring(0, colon), m.substring(colon + 1), false));
        }
        for (HostConfig.MemoryExport m : memory) {
            try {
                service.createMemory(m.name(), ExportService.parseSize(m.size()));
                service.export(m.name(), m.name(), m.readOnly());
            } catch (HostException e) {
                startupError.accept(e.getMessage());
                log.append(LogLevel.ERR, "nbd", "memory export " + m.name() + ": " + e.getMessage());
            }
        }
        if (nbd == null) {
            return;
        }
        try {
            nbd.start();
            log.append(LogLevel.INFO, "nbd", "serving" + (nbd.socket() == null ? "" : " on " + nbd.socket())
                    + (nbd.tcpAddress() == null ? "" : " and " + nbd.tcpAddress().getHostString() + ":" + nbd.tcpAddress().getPort()));
        } catch (IOException | HostException e) {
            startupError.accept(e.getMessage());
            log.append(LogLevel.ERR, "nbd", "not serving: " + e.getMessage());
        }
    }

    /** Exports the configured LUs; the implicit default (ram0) is skipped quietly when no ramdisk loaded. */
    public void exportLus(List<HostConfig.LuExport> exports) {
        for (HostConfig.LuExport x : exports) {
            if (exports == HostConfig.DEFAULT_EXPORTS && block.find(x.device()).isEmpty()) {
                continue;
            }
            try {
                service.export(x.name(), x.device(), x.readOnly());
            } catch (HostException e) {
                startupError.accept("nbd export " + x.device() + ": " + e.getMessage());
                log.append(LogLevel.ERR, "nbd", "export " + x.device() + ": " + e.getMessage());
            }
        }
    }

    public ExportService service() {
        return service;
    }

    public Optional<NbdServer> nbd() {
        return Optional.ofNullable(nbd);
    }

    /** The URIs that reach an export: {@code nbd+unix:///NAME?socket=...}, {@code nbd://HOST[:PORT]/NAME} unless TLS is required, {@code nbds://…} when TLS is offered. */
    public List<String> uris(String export) {
        List<String> uris = new ArrayList<>();
        if (nbd != null && nbd.socket() != null) {
            uris.add("nbd+unix:///" + export + "?socket=" + nbd.socket());
        }
        if (nbd != null && nbd.tcpAddress() != null) {
            InetSocketAddress a = nbd.tcpAddress();
            String h = a.getAddress().getHostAddress();
            h = h.contains(":") ? "[" + h + "]" : h;
            String port = a.getPort() == NbdConfig.DEFAULT_PORT ? "" : ":" + a.getPort();
            if (nbd.tlsMode() != TlsMode.REQUIRE) {
                uris.add("nbd://" + h + port + "/" + export);
            }
            if (nbd.tlsMode() != TlsMode.OFF) {
                uris.add("nbds://" + h + port + "/" + export);
            }
        }
        return uris;
    }

    /** Stops listening (closing connections), then removes every export, releasing the LUs it held. */
    @Override
    public void close() {
        if (nbd != null) {
            nbd.close();
        }
        service.close();
    }
}
