package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jdm.host.Host;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code jdm} command: global options, and the subcommands. Its scope is inherited, so every
 * subcommand, the kmod tree's included, takes {@code -h}/{@code --help} and {@code -V}; each one's
 * example is its {@code usage.footer} in {@code Examples.properties}, which {@code JdmCommandTest}
 * checks for every command there is.
 */
@Command(name = "jdm", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = JdmCommand.Version.class,
        resourceBundle = "dev.jdm.cli.Examples",
        description = "A stable-ABI driver host: run it, load and inspect modules, and check them before they load.")
public final class JdmCommand {
    /**
     * The subcommands by name, in help order. They are registered lazily: picocli builds a command's
     * model by reflection, and a client command such as lsmod should not pay for every other one.
     * {@code JdmCommandTest} checks each name against the class's own {@code @Command}.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("host", HostCommand::new);
        m.put("insmod", ModuleCommands.Insmod::new);
        m.put("rmmod", ModuleCommands.Rmmod::new);
        m.put("lsmod", ModuleCommands.Lsmod::new);
        m.put("modinfo", ModuleCommands.Modinfo::new);
        m.put("modprobe", ModuleCommands.Modprobe::new);
        m.put("depmod", ModuleCommands.Depmod::new);
        m.put("sysctl", SystemCommands.SysctlCmd::new);
        m.put("dmesg", SystemCommands.Dmesg::new);
        m.put("taint", SystemCommands.TaintCmd::new);
        m.put("sec", SecurityCommands::new);
        m.put("abi", AbiCommand::new);
        m.put("blk", BlockCommands::new);
        m.put("export", ExportCommands::new);
        m.put("dev", DevCommands::new);
        m.put("domain", DomainCommands::new);
        m.put("grant", GrantCommands::new);
        m.put("hw", HwCommand::new);
        m.put("kmod", dev.jdm.kmod.cli.KmodCommand::new);
        m.put("sweep", SweepCommand::new);
        m.put("generate-completion", AutoComplete.GenerateCompletion::new);
        m.put("help", CommandLine.HelpCommand::new);
        return java.util.Collections.unmodifiableMap(m);
    }

    @Option(names = "--socket", paramLabel = "PATH", description = "call-gate socket of the host (default: $JDM_SOCKET, then the host's default)")
    Path socket;

    /** Devices an embedding program gives jdm sweep, or null: choose by the targets (SweepProviders). */
    dev.jdm.sweep.SweepDevices sweepDevices;

    /** The picocli command line with every subcommand. */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The picocli command line for {@code args} with jdm's error handling: one line on stderr, a
     * meaningful exit code. Only the subcommand that {@code args} names is registered; help, a
     * misspelt name, {@code jdm help CMD} or completion get all of them.
     */
    static CommandLine commandLine(String[] args) {
        return commandLine(args, null);
    }

    /**
     * The same for a program that embeds jdm and sweeps devices of its own: {@code jdm sweep} then
     * uses {@code sweepDevices} (which the caller closes) instead of choosing a host.
     */
    public static CommandLine commandLine(String[] args, dev.jdm.sweep.SweepDevices sweepDevices) {
        JdmCommand root = new JdmCommand();
        root.sweepDevices = sweepDevices;
        CommandLine cl = new CommandLine(root);
        String wanted = subcommandNamed(args);
        SUBCOMMANDS.forEach((name, make) -> {
            if (wanted == null || wanted.equals(name)) {
                cl.addSubcommand(name, make.get());
            }
        });
        if (cl.getSubcommands().containsKey("generate-completion")) {
            cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        }
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            CommandSpec spec = commandLine.getCommandSpec();
            int code = CliException.HOST_ERROR;
            String message = ex.toString();
            if (ex instanceof CliException c) {
                code = c.exitCode();
                message = c.getMessage();
            } else if (ex instanceof dev.jdm.gate.GateException g) {
                CliException c = CliException.from(g);
                code = c.exitCode();
                message = c.getMessage();
            } else if (ex instanceof dev.jdm.host.HostException h) {
                message = h.getMessage() + " [" + h.code() + "]";
            }
            err.println(errorLine(spec, message));
            err.flush();
            return code;
        });
        return cl;
    }

    /**
     * {@code jdm CMD: message}, once: the host names the call it refuses ({@code modinfo: module x
     * not found}), and that name is the command's own.
     */
    static String errorLine(CommandSpec spec, String message) {
        return errorLine(spec.qualifiedName().replaceFirst("^jdm ", ""), spec.name(), message);
    }

    /** {@link #errorLine(CommandSpec, String)} for {@code cmd} ("sec reload"), whose last word is {@code name}. */
    static String errorLine(String cmd, String name, String message) {
        return CliException.line(cmd, name, message);
    }

    /** The subcommand {@code args} runs, if it can be told before parsing and is not completion; else null. */
    private static String subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--socket")) {
                i++;
            } else if (!a.startsWith("--socket=")) {
                return a.startsWith("-") || !SUBCOMMANDS.containsKey(a) || a.equals("generate-completion") || a.equals("help") ? null : a;
            }
        }
        return null;
    }

    /** The socket to use: --socket, then $JDM_SOCKET, then the host's default. */
    Path socket() {
        return dev.jdm.gate.GateSocket.forClient(socket);
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
