package dev.jdm.cli;

import dev.jdm.gate.GateClient;
import dev.jdm.gate.proto.AbiExplainCall;
import dev.jdm.gate.proto.ExplainReply;
import dev.jdm.gate.proto.Request;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import dev.jdm.symvers.stability.Baseline;
import dev.jdm.symvers.stability.Generation;
import dev.jdm.symvers.stability.ReleasedAbi;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm abi}: the ABI's symbols, what their fingerprints hash, and its released generations. */
@Command(name = "abi", description = "Inspect the ABI.", subcommands = {AbiCommand.Explain.class, AbiCommand.Dump.class,
        AbiReleaseCommands.Diff.class, AbiReleaseCommands.Check.class, AbiReleaseCommands.Release.class})
final class AbiCommand {
    @ParentCommand JdmCommand root;

    @Command(name = "explain", description = "Print a symbol's fingerprint and the expanded definition it hashes.")
    static final class Explain implements Callable<Integer> {
        @ParentCommand AbiCommand abi;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "SYMBOL", description = "e.g. dev.jdm.abi.mem.Kmem#kmalloc(JI)Ljava/lang/foreign/MemorySegment;") String symbol;
        @Option(names = "--offline", description = "use the ABI this jdm was built with instead of asking the host") boolean offline;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (offline) {
                try {
                    Symbol s = Symbol.parse(symbol);
                    AbiModel model = AbiModel.fromClassPath();
                    Definition d = new Fingerprinter(model.world()).define(s);
                    out.println(s + " " + Definition.hex(d.fingerprint()) + " abi " + model.generation());
                    d.lines().forEach(out::println);
                } catch (IllegalArgumentException | SymversException e) {
                    throw new CliException(CliException.USAGE, e.getMessage());
                }
            } else {
                try (GateClient gate = abi.root.connect()) {
                    ExplainReply r = gate.call(Request.newBuilder().setAbiExplain(AbiExplainCall.newBuilder().setSymbol(symbol))).getExplain();
                    out.println(r.getSymbol() + " " + r.getFingerprint() + " " + r.getProvider() + " " + r.getGeneration());
                    r.getDefinitionList().forEach(out::println);
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "dump", description = "Print one generation's symbols with fingerprints (a Module.symvers for the ABI).")
    static final class Dump implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--generation", paramLabel = "G", description = "a released generation, e.g. JDM_1.0 (default: the one this jdm serves)") String generation;
        @Option(names = "--definitions", description = "add each symbol's expanded definition: the baseline file format") boolean definitions;

        @Override
        public Integer call() {
            ReleasedAbi abi = AbiTables.classPath();
            Generation g = generation == null ? abi.current() : AbiTables.parseGeneration(generation);
            Baseline table = AbiTables.generation(abi, g);
            PrintWriter out = spec.commandLine().getOut();
            if (definitions) {
                out.print(table.format());
            } else {
                for (Baseline.Row r : table.rows()) {
                    out.println(Definition.hex(r.fingerprint()) + "\t" + r.symbol() + "\t" + r.since());
                }
            }
            out.flush();
            return 0;
        }
    }
}
