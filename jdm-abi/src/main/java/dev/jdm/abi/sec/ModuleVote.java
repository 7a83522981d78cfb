package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;

/**
 * One module's part in a decision.
 *
 * @param module the security module's name
 * @param permissive whether it was loaded with {@code mode=permissive} (its denies did not count)
 * @param vote what it answered; a failure (throw, timeout, nonsense) appears as a deny whose reason
 *     says so
 */
@Provided
public record ModuleVote(String module, boolean permissive, Vote vote) {}
