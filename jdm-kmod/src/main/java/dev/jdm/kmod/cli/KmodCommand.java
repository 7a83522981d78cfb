package dev.jdm.kmod.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kmod}: Linux kernel module tooling. Mounted by the jdm CLI as {@code jdm kmod …};
 * {@link KmodMain} runs it on its own.
 */
@Command(name = "kmod", mixinStandardHelpOptions = true,
        description = "Linux kernel module (.ko) tooling: modinfo, modversions, exports, depmod, kABI checks, weak updates.",
        subcommands = {ModinfoCommand.class, ModversionsCommand.class, ExportsCommand.class, DepmodCommand.class,
                CheckCommand.class, DiffCommand.class, WeakUpdatesCommand.class})
public final class KmodCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand (modinfo, modversions, exports, depmod, check, diff, weak-updates)");
    }
}
