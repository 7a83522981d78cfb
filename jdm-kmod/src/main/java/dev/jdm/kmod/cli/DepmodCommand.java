package dev.jdm.kmod.cli;

import picocli.CommandLine.Command;

@Command(name = "depmod", mixinStandardHelpOptions = true)
final class DepmodCommand extends KmodSubcommand {
    @Override
    int run() {
        return OK;
    }
}
