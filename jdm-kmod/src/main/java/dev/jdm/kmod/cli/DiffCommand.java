package dev.jdm.kmod.cli;

import picocli.CommandLine.Command;

@Command(name = "diff", mixinStandardHelpOptions = true)
final class DiffCommand extends KmodSubcommand {
    @Override
    int run() {
        return OK;
    }
}
