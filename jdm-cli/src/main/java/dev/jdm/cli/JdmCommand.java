package dev.jdm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jdm.host.Host;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code jdm} command: global options, and the subcommands. */
@Command(name = "jdm", mixinStandardHelpOptions = true, versionProvider = JdmCommand.Version.class,
        description = "A stable-ABI driver host: run it, load and inspect modules, and check them before they load.",
        subcommands = {HostCommand.class, ModuleCommands.Insmod.class, ModuleCommands.Rmmod.class, ModuleCommands.Lsmod.class,
                ModuleCommands.Modinfo.class, ModuleCommands.Modprobe.class, ModuleCommands.Depmod.class,
                SystemCommands.SysctlCmd.class, SystemCommands.Dmesg.class, SystemCommands.TaintCmd.class,
                AbiCommand.class, ExportCommands.class, AutoComplete.GenerateCompletion.class})
public final class JdmCommand {
    @Option(names = "--socket", paramLabel = "PATH", description = "call-gate socket of the host (default: $JDM_SOCKET, then the host's default)")
    Path socket;

    /** The picocli command line with jdm's error handling: one line on stderr, a meaningful exit code. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new JdmCommand());
        cl.addSubcommand("kmod", new dev.jdm.kmod.cli.KmodCommand());
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String cmd = commandLine.getCommandName();
            if (ex instanceof CliException c) {
                err.println("jdm " + cmd + ": " + c.getMessage());
                err.flush();
                return c.exitCode();
            }
            if (ex instanceof dev.jdm.host.HostException h) {
                err.println("jdm " + cmd + ": " + h.getMessage() + " [" + h.code() + "]");
                err.flush();
                return CliException.HOST_ERROR;
            }
            err.println("jdm " + cmd + ": " + ex);
            err.flush();
            return CliException.HOST_ERROR;
        });
        return cl;
    }

    /** The socket to use: --socket, then $JDM_SOCKET, then the host's default. */
    Path socket() {
        if (socket != null) {
            return socket;
        }
        String env = System.getenv("JDM_SOCKET");
        return env != null && !env.isBlank() ? Path.of(env) : Host.defaultRuntimeDir().resolve("gate.sock");
    }

    /** Opens a connection to the host. */
    GateClient connect() {
        return GateClient.connect(socket());
    }

    /** Prints a value as indented JSON. */
    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
            out.flush();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CliException(CliException.HOST_ERROR, "cannot write JSON: " + e.getMessage());
        }
    }

    /** Version text. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jdm " + Host.VERSION};
        }
    }
}
