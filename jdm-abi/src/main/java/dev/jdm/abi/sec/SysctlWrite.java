package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * The object of {@code sysctl_write}.
 *
 * @param key the tunable, e.g. {@code security.stack_locked}
 * @param oldValue its value now
 * @param newValue the value asked for, as given
 */
@Provided
public record SysctlWrite(String key, String oldValue, String newValue) {}
