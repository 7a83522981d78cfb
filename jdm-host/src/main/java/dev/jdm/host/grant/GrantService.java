package dev.jdm.host.grant;

import dev.jdm.abi.grant.Grants;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each module's grants ({@link ModuleGrants}) under the host's {@link GrantPolicy}; what a module
 * leaves open is closed and reported when it goes. It knows every grant held, for
 * {@code jdm grant ls}.
 */
public final class GrantService implements ModuleService<Grants> {
    private final LogRing log;
    private final GrantPolicy policy;
    private final GrantAccess access;
    private final Map<String, ModuleGrants> modules = new ConcurrentHashMap<>();

    public GrantService(LogRing log, GrantPolicy policy, GrantAccess access) {
        this.log = log;
        this.policy = policy;
        this.access = access;
    }

    @Override
    public Class<Grants> face() {
        return Grants.class;
    }

    @Override
    public Attachment<Grants> attach(ModuleSite module) {
        ModuleGrants grants = new ModuleGrants(module.name(), domain(module), module.params(), policy, access, log);
        modules.put(module.name(), grants);
        return Attachment.of(grants, why -> {
            modules.remove(module.name(), grants);
            grants.close();
        });
    }

    /**
     * Where the module runs, as grant rules name it. Its {@code domain=} host parameter was checked
     * before the module was attached; {@code isolated} alone is the domain named default.
     */
    private static String domain(ModuleSite module) {
        String d = module.hostParam("domain").orElse("colocated");
        return d.equals("isolated") ? "isolated:default" : d;
    }

    /** Every grant held now, by module and path. */
    public List<HeldGrant> held() {
        return modules.values().stream().flatMap(g -> g.held().stream())
                .sorted(Comparator.comparing(HeldGrant::module).thenComparing(HeldGrant::resource)).toList();
    }

    public GrantPolicy policy() {
        return policy;
    }
}
