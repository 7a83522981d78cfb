package dev.jdm.cli;

import dev.jdm.host.gate.proto.AbiExplainCall;
import dev.jdm.host.gate.proto.ExplainReply;
import dev.jdm.host.gate.proto.Request;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.Definition;
import dev.jdm.symvers.Fingerprinter;
import dev.jdm.symvers.Symbol;
import dev.jdm.symvers.SymversException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jdm abi}: the ABI's symbols and what their fingerprints hash. */
@Command(name = "abi", description = "Inspect the ABI.", subcommands = {AbiCommand.Explain.class, AbiCommand.Dump.class})
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

    @Command(name = "dump", description = "Print every ABI symbol with its fingerprint (a Module.symvers for the ABI).")
    static final class Dump implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            AbiModel model = AbiModel.fromClassPath();
            Fingerprinter fp = new Fingerprinter(model.world());
            PrintWriter out = spec.commandLine().getOut();
            for (Symbol s : model.symbols()) {
                out.println(Definition.hex(fp.fingerprint(s)) + "\t" + s + "\t" + model.generation());
            }
            out.flush();
            return 0;
        }
    }
}
