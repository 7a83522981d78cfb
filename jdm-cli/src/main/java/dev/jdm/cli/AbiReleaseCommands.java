package dev.jdm.cli;

import dev.jdm.symvers.JarContents;
import dev.jdm.symvers.ModInfo;
import dev.jdm.symvers.SymbolTable;
import dev.jdm.symvers.SymversException;
import dev.jdm.symvers.stability.AbiCheck;
import dev.jdm.symvers.stability.AbiDiff;
import dev.jdm.symvers.stability.Baseline;
import dev.jdm.symvers.stability.Generation;
import dev.jdm.symvers.stability.ReleasedAbi;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jdm abi diff/check/release}: comparing ABI tables, and cutting generations (docs/abi-policy.md). */
final class AbiReleaseCommands {
    private AbiReleaseCommands() {}

    @Command(name = "diff", description = "List the symbols added, changed and removed from OLD to NEW, with reasons.",
            footer = {"OLD and NEW: a generation (JDM_1.0), current, a baseline file (.symvers), an ABI JAR, or a module JAR.",
                    "Example: jdm abi diff JDM_1.0 current --modules jdm-cli/target/modules"})
    static final class Diff implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "OLD") String old;
        @Parameters(index = "1", paramLabel = "NEW") String now;
        @Option(names = "--modules", paramLabel = "DIR", description = "name the module JARs in DIR that each change breaks") Path modules;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            ReleasedAbi here = AbiTables.classPath();
            AbiDiff.Table before = AbiTables.table(old, here);
            AbiDiff.Table after = AbiTables.table(now, here);
            boolean moduleSide = isModule(old);
            List<AbiDiff.Entry> entries = AbiDiff.diff(before, after, here.revocations(), modules == null ? List.of() : modulesIn(modules))
                    .stream().filter(e -> !(moduleSide && e.change() == AbiDiff.Change.ADDED)).toList();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JdmCommand.printJson(out, Map.of("old", before.label(), "new", after.label(), "changes", entries));
                return 0;
            }
            out.println(before.label() + " -> " + after.label() + ": " + count(entries, AbiDiff.Change.ADDED) + " added, "
                    + count(entries, AbiDiff.Change.CHANGED) + " changed, " + count(entries, AbiDiff.Change.REMOVED) + " removed");
            for (AbiDiff.Entry e : entries) {
                String mark = switch (e.change()) { case ADDED -> "+"; case CHANGED -> "~"; case REMOVED -> "-"; };
                out.println(mark + " " + e.symbol() + (e.reason().isEmpty() ? "" : ": " + e.reason())
                        + (e.change() == AbiDiff.Change.CHANGED && !e.breaking() ? " (compatible)" : "")
                        + (e.breaks().isEmpty() ? "" : " [breaks " + String.join(", ", e.breaks()) + "]"));
            }
            out.flush();
            return 0;
        }

        private static boolean isModule(String arg) {
            Path p = Path.of(arg);
            return Files.isRegularFile(p) && arg.endsWith(".jar") && JarContents.read(p).metadata().containsKey("modinfo");
        }

        private static long count(List<AbiDiff.Entry> entries, AbiDiff.Change change) {
            return entries.stream().filter(e -> e.change() == change).count();
        }

        private static List<AbiDiff.ModuleImports> modulesIn(Path dir) {
            if (!Files.isDirectory(dir)) {
                throw new CliException(CliException.USAGE, dir + ": not a directory of module JARs");
            }
            List<AbiDiff.ModuleImports> out = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                    JarContents c = JarContents.read(jar);
                    byte[] modinfo = c.metadata().get("modinfo");
                    byte[] versions = c.metadata().get("versions");
                    if (modinfo != null && versions != null) {
                        out.add(new AbiDiff.ModuleImports(ModInfo.parse(modinfo, jar.toString()).name(),
                                SymbolTable.parse(versions, jar + "!META-INF/jdm/versions")));
                    }
                }
            } catch (IOException | SymversException e) {
                throw new CliException(CliException.USAGE, dir + ": " + e.getMessage());
            }
            return out;
        }
    }

    @Command(name = "check", description = "Check that the ABI still serves every module built against a released generation.",
            footer = "Exit 0 if it does, 1 naming each released symbol that changed incompatibly or went without a revocation.")
    static final class Check implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--abi", paramLabel = "JAR", description = "the ABI build to check (default: the one this jdm was built with)") Path abiJar;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() {
            AbiCheck.Report report = AbiCheck.run(AbiTables.load(abiJar));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JdmCommand.printJson(out, report);
                return report.passes() ? 0 : CliException.HOST_ERROR;
            }
            List<AbiCheck.Finding> failures = report.findings().stream().filter(f -> f.kind().fails()).toList();
            out.println(report.current() + ": " + (report.passes() ? "compatible" : failures.size() + " incompatible change(s)")
                    + " with every released generation; " + report.of(AbiCheck.Kind.REVOKED).size() + " revoked, "
                    + report.of(AbiCheck.Kind.ADDED).size() + " added (" + report.current() + ")");
            failures.forEach(f -> out.println(f.line()));
            report.of(AbiCheck.Kind.REVOKED).forEach(f -> out.println(f.line()));
            report.of(AbiCheck.Kind.ADDED).forEach(f -> out.println(f.line()));
            out.flush();
            return report.passes() ? 0 : CliException.HOST_ERROR;
        }
    }

    @Command(name = "release", description = "Freeze the ABI's current generation: write its baseline and keep its JAR.",
            footer = "Example: jdm abi release JDM_1.1   (writes jdm-abi/baselines/JDM_1.1.symvers and JDM_1.1.jar)")
    static final class Release implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "GENERATION") String generation;
        @Option(names = "--abi", paramLabel = "JAR", description = "the ABI JAR to release (default: the one this jdm was built with)") Path abiJar;
        @Option(names = "--baselines", paramLabel = "DIR", description = "where baselines live (default: jdm-abi/baselines of the checkout)") Path dir;

        @Override
        public Integer call() throws IOException {
            ReleasedAbi abi = AbiTables.load(abiJar);
            Generation g = AbiTables.parseGeneration(generation);
            if (!g.equals(abi.current())) {
                throw new CliException(CliException.USAGE, "the ABI build serves " + abi.current() + ", not " + g + "; a release freezes the generation the build serves");
            }
            Path base = AbiTables.baselines(dir);
            Path table = base.resolve(g + ".symvers");
            Path frozen = base.resolve(g + ".jar");
            if (Files.exists(table) || abi.currentIsReleased()) {
                throw new CliException(CliException.USAGE, g + " is released already (" + table + "); a released generation never changes");
            }
            AbiCheck.Report report = AbiCheck.run(abi);
            if (!report.passes()) {
                throw new CliException(CliException.HOST_ERROR, "jdm abi check fails; fix it before releasing " + g);
            }
            Path source = Path.of(abi.abi().origin());
            if (!Files.isRegularFile(source)) {
                throw new CliException(CliException.USAGE, source + " is not a JAR; release a packaged jdm-abi JAR (--abi)");
            }
            Files.createDirectories(base);
            if (Files.exists(frozen) && Files.mismatch(frozen, source) != -1L) {
                throw new CliException(CliException.USAGE, frozen + " exists and differs from " + source + "; it is the frozen ABI of " + g);
            }
            Baseline baseline = Baseline.of(abi.abi(), g, abi::since);
            Path tmp = base.resolve("." + g + ".symvers.tmp"); // a released table is public: plain 0644, not a temp file's 0600
            Files.writeString(tmp, baseline.format());
            if (!Files.exists(frozen)) {
                Files.copy(source, frozen);
            }
            Files.move(tmp, table, StandardCopyOption.ATOMIC_MOVE);
            PrintWriter out = spec.commandLine().getOut();
            out.println("released " + g + ": " + baseline.rows().size() + " symbols (" + report.of(AbiCheck.Kind.ADDED).size()
                    + " new) in " + table + ", frozen ABI " + frozen);
            out.println("next: commit both; the first symbol added after this raises jdm-abi's generation to JDM_"
                    + g.major() + "." + (g.minor() + 1));
            out.flush();
            return 0;
        }
    }
}
