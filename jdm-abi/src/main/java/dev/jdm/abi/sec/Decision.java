package dev.jdm.abi.sec;

import dev.jdm.abi.Provided;
import java.util.List;

/**
 * A finished check, as {@link SecurityModule#decision} sees it.
 *
 * @param timeMillis wall-clock time of the decision (milliseconds since the epoch)
 * @param hook hook name, e.g. {@code dev_open}
 * @param task who asked
 * @param object what was asked for, in one line (e.g. {@code block ram0 access=rw})
 * @param args the hook's typed object ({@link DevOpen}, {@link BlkIo}, ...)
 * @param votes every consulted module's vote, sorted by module name
 * @param allowed the verdict
 * @param errno for a deny, {@code EACCES} or {@code EPERM}; "" when allowed
 * @param decidedBy the module whose reason is reported, "" when allowed
 * @param reason the reported reason, "" when allowed
 */
@Provided
public record Decision(long timeMillis, String hook, TaskCred task, String object, Object args, List<ModuleVote> votes,
        boolean allowed, String errno, String decidedBy, String reason) {}
