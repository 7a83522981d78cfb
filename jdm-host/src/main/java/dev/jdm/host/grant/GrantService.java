package dev.jdm.host.grant;

import dev.jdm.abi.grant.Grants;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;

/** Each module's grants ({@link ModuleGrants}); what it leaves open is closed and reported when it goes. */
public final class GrantService implements ModuleService<Grants> {
    private final LogRing log;

    public GrantService(LogRing log) {
        this.log = log;
    }

    @Override
    public Class<Grants> face() {
        return Grants.class;
    }

    @Override
    public Attachment<Grants> attach(ModuleSite module) {
        ModuleGrants grants = new ModuleGrants(module.name(), module.params(), log);
        return Attachment.of(grants, why -> grants.close());
    }
}
