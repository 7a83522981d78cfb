package dev.jdm.host.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.sec.SysctlWrite;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.domain.DomainManager;
import dev.jdm.host.grant.GrantAccess;
import dev.jdm.host.grant.GrantPolicy;
import dev.jdm.host.grant.GrantService;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** domain_ls and domain_restart before any domain runs: the privilege is asked first and fails closed; names are checked. */
class DomainCallsTest {
    final Task user = new Task(1, "gate:1", new Credentials(1000, 1000, 1));
    final List<SysctlWrite> asked = new ArrayList<>();
    final DomainManager domains = new DomainManager(new LogRing(64, null, () -> 0));
    final GrantService grants = new GrantService(new LogRing(64, null, () -> 0), GrantPolicy.loaderChooses(), GrantAccess.NONE);

    @Test
    void shouldRefuseARestartTheSecurityStackRefusesBeforeLookingTheDomainUp() {
        DomainCalls calls = new DomainCalls(domains, (task, change) -> {
            asked.add(change);
            throw new HostException(Errno.EPERM, change.key() + ": uid " + task.credentials().uid() + " may not change it");
        }, grants);
        assertThatThrownBy(() -> calls.restart(user, "files")).isInstanceOfSatisfying(HostException.class,
                e -> assertThat(e.code()).isEqualTo(Errno.EPERM));
        assertThat(asked).extracting(SysctlWrite::key).containsExactly("domain.files.restart");
    }

    @Test
    void shouldNameAnUnknownOrMissingDomain() {
        DomainCalls calls = new DomainCalls(domains, (task, change) -> asked.add(change), grants);
        assertThatThrownBy(() -> calls.restart(user, "nosuch")).isInstanceOfSatisfying(HostException.class, e -> {
            assertThat(e.code()).isEqualTo(Errno.ENOENT);
            assertThat(e.getMessage()).contains("no domain named nosuch");
        });
        assertThatThrownBy(() -> calls.ls("nosuch")).hasMessageContaining("no domain named nosuch");
        assertThatThrownBy(() -> calls.restart(user, "")).isInstanceOfSatisfying(HostException.class,
                e -> assertThat(e.code()).isEqualTo(Errno.EINVAL));
        assertThat(calls.ls("").getDomainsList()).isEmpty();
    }
}
