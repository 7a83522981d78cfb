package dev.jdm.cli;

import dev.jdm.host.config.NbdOptions;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.module.LoadedModule;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jdm host}: runs the host in the foreground until SIGINT or SIGTERM; SIGHUP reloads its policies. */
@Command(name = "host", description = "Run the host: load the configured (or default) modules and serve the call gate.")
final class HostCommand implements Callable<Integer> {
    @ParentCommand
    JdmCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", paramLabel = "PATH", description = "call-gate socket (default: jdm --socket, $JDM_SOCKET, then $XDG_RUNTIME_DIR/jdm/gate.sock, /run/jdm/gate.sock as root)")
    Path socket;

    @Option(names = "--config", paramLabel = "FILE", description = "TOML configuration (default: embedded defaults)")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "state directory (default: $XDG_RUNTIME_DIR/jdm/state, /run/jdm/state as root)")
    Path stateDir;

    @Option(names = "--modules-dir", paramLabel = "DIR", description = "bundled modules (default: $JDM_HOME/modules or -Djdm.modules)")
    Path bundled;

    @Option(names = "--nbd-socket", paramLabel = "PATH", description = "NBD Unix socket (default: nbd.sock beside the call-gate socket)")
    Path nbdSocket;

    @Option(names = "--nbd-tcp", paramLabel = "HOST:PORT|off", description = "NBD TCP listener (default: 127.0.0.1:10809)")
    String nbdTcp;

    @Option(names = "--nbd-tls", paramLabel = "off|on|require",
            description = "TLS on the NBD TCP listener: offered (on) or required (require), as nbdkit's --tls (default: off)")
    String nbdTls;

    @Option(names = "--nbd-tls-certificates", paramLabel = "DIR",
            description = "directory with ca-cert.pem, server-cert.pem and server-key.pem (the qemu and nbdkit layout)")
    Path nbdTlsCertificates;

    @Option(names = "--nbd-tls-verify-peer", negatable = true,
            description = "require a client certificate signed by ca-cert.pem; its subject maps to a uid through [[nbd.tls.client]]")
    Boolean nbdTlsVerifyPeer;

    @Option(names = "--nbd-memory", paramLabel = "NAME:SIZE", hidden = true, description = "export an in-memory device (repeatable)")
    java.util.List<String> nbdMemory = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path modules = bundled != null ? bundled : bundledDefault();
        Path gate = socket != null ? socket : root.socket != null ? root.socket : envSocket();
        // under systemd with stderr a journal stream, the log goes there with priorities; else to the console as always
        boolean journal = JournalStream.stderrIsJournal();
        Host host;
        try {
            host = Host.start(new Host.Options(config, gate, stateDir, modules, journal ? null : System.out,
                    new NbdOptions(nbdSocket, nbdTcp, nbdMemory, nbdTls, nbdTlsCertificates, nbdTlsVerifyPeer)));
        } catch (HostException e) {
            throw new CliException(CliException.HOST_ERROR, e.getMessage());
        }
        JournalStream echo = journal ? JournalStream.follow(host.log(), () -> (int) host.sysctl().longValue("log.console_level"), System.err) : null;
        HostService service = new HostService(host, config, SdNotify.fromEnvironment(), System.err);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            service.stopping();
            host.close();
            if (echo != null) {
                try {
                    echo.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopped.countDown();
        }, "jdm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("jdm " + Host.VERSION + " host, ABI " + host.exports().abi().generation() + ", pid " + ProcessHandle.current().pid());
        out.println("call gate: " + host.socket());
        out.println("state dir: " + host.stateDir());
        for (LoadedModule m : host.modules().list()) {
            out.println("module:    " + m.name() + " (" + m.state().name().toLowerCase() + ")");
        }
        for (dev.jdm.host.block.LuInfo lu : host.block().list()) {
            out.println("disk:      " + lu.name() + " " + BlockCommands.size(lu.size()) + " (" + lu.module() + ", boot guard 0x"
                    + Long.toHexString(lu.bootGuard()) + (lu.isPartition() ? ", partition of " + lu.disk() : ", table " + lu.tableType()) + ")");
        }
        for (var e : host.exportService().registry().list()) {
            for (String uri : host.nbdUris(e.name())) {
                out.println("nbd:       " + uri);
            }
        }
        for (String e : host.startupErrors()) {
            out.println("error:     " + e);
        }
        out.println("next: in another terminal, ./jdm" + (gate != null ? " --socket " + host.socket() : "") + " lsmod");
        out.flush();
        service.ready();
        stopped.await();
        return 0;
    }

    private static Path envSocket() {
        String env = System.getenv("JDM_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : null;
    }

    static Path bundledDefault() {
        String prop = System.getProperty("jdm.modules");
        if (prop != null) {
            return Path.of(prop);
        }
        String home = System.getenv("JDM_HOME");
        if (home != null) {
            Path p = Path.of(home, "modules");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
