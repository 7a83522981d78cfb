package dev.jdm.host.grant;

import dev.jdm.isolation.confine.Grant;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Which files a module may be granted. A path named by one of its load parameters was chosen by
 * whoever loaded it, a privileged act: it is granted as asked while {@code grant.params} is 1 (the
 * default, as before there was a policy), and otherwise only where a rule covers it. A path the
 * module chose itself is granted only where a rule covers it.
 */
public final class GrantPolicy {
    private final List<GrantRule> rules;
    private final BooleanSupplier paramsGranted;

    /** @param paramsGranted whether a parameter's path is granted without a rule ({@code grant.params}) */
    public GrantPolicy(List<GrantRule> rules, BooleanSupplier paramsGranted) {
        this.rules = List.copyOf(rules);
        this.paramsGranted = paramsGranted;
    }

    /** Parameters' paths granted as asked, no rules: what a host without a policy does. */
    public static GrantPolicy loaderChooses() {
        return new GrantPolicy(List.of(), () -> true);
    }

    public List<GrantRule> rules() {
        return rules;
    }

    /** The rule that grants {@code real} to the module, if any. */
    Optional<GrantRule> rule(String module, String domain, Path real, boolean write) {
        return rules.stream().filter(r -> r.covers(module, domain, real, write)).findFirst();
    }

    /**
     * What the rules for domain {@code isolated:NAME} let its processes open themselves, as Landlock
     * rules: a plugin that opens its own file (nbdkit's file plugin) can, where the operator said
     * so for the whole domain. The domain's uid (nobody, under a root host) must still be allowed
     * by the files' modes. A module's rules stay grants of descriptors only: a domain may hold
     * other modules too.
     */
    public List<Grant> landlockPaths(String domain) {
        return rules.stream().filter(r -> ("isolated:" + domain).equals(r.domain()))
                .map(r -> r.readWrite() ? Grant.readWrite(r.path()) : Grant.read(r.path())).toList();
    }

    public boolean paramsGranted() {
        return paramsGranted.getAsBoolean();
    }
}
