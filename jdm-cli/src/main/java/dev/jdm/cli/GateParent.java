package dev.jdm.cli;

/**
 * A parent command whose subcommands call the host: {@code jdm export}, and {@code jdm blk} for its
 * {@code export}/{@code unexport}, which are the same commands under the block layer's name.
 */
interface GateParent {
    /** The root command, which knows the socket. */
    JdmCommand root();
}
