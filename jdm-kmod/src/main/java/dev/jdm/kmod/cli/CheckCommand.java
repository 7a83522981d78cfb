package dev.jdm.kmod.cli;

import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true)
final class CheckCommand extends KmodSubcommand {
    @Override
    int run() {
        return OK;
    }
}
