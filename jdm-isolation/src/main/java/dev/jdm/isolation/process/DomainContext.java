package dev.jdm.isolation.process;

import dev.jdm.isolation.channel.ControlChannel;
import java.util.List;

/**
 * What a {@link DomainEntry} gets: the control channel to its host, its arguments, and the Landlock
 * ABI it was confined with (0: none, with the opt-out).
 */
public record DomainContext(ControlChannel channel, List<String> args, int landlockAbi) {}
