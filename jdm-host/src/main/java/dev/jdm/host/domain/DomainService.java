package dev.jdm.host.domain;

import dev.jdm.abi.LoadableModule;
import dev.jdm.host.module.ModulePlacement;
import dev.jdm.host.module.ModuleService;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.symvers.JarContents;
import java.util.Optional;
import java.util.Set;

/**
 * The domain choice as the module loader sees it: claims the {@code domain=} host parameter, checks
 * it before anything of the module runs, and places an isolated module in its domain (started on
 * first use by the {@link DomainManager}).
 */
public final class DomainService implements ModuleService<Placement>, ModulePlacement {
    private final DomainManager domains;

    public DomainService(DomainManager domains) {
        this.domains = domains;
    }

    @Override
    public Class<Placement> face() {
        return Placement.class;
    }

    @Override
    public Set<String> hostParams() {
        return Set.of(Placement.PARAM, Placement.RECOVERY);
    }

    @Override
    public void checkLoad(LoadRequest request) {
        Placement p = Placement.parse(request.info().name(), request.hostParams().get(Placement.PARAM));
        Placement.checkRecovery(request.info().name(), p, request.hostParams().get(Placement.RECOVERY));
    }

    @Override
    public Attachment<Placement> attach(ModuleSite module) {
        Placement p = Placement.parse(module.name(), module.hostParam(Placement.PARAM).orElse(null));
        return Attachment.of(p, why -> {
            if (p.isolated()) {
                domains.forget(p.domain(), module.name());
            }
        });
    }

    @Override
    public java.util.Map<String, String> placeAlike(LoadRequest request) {
        Placement p = Placement.parse(request.info().name(), request.hostParams().get(Placement.PARAM));
        return p.isolated() ? java.util.Map.of(Placement.PARAM, p.toString()) : java.util.Map.of();
    }

    @Override
    public Optional<Home> home(LoadRequest request) {
        Placement p = Placement.parse(request.info().name(), request.hostParams().get(Placement.PARAM));
        if (!p.isolated()) {
            return Optional.empty();
        }
        return Optional.of(new Home() {
            @Override
            public String describe() {
                return p.toString();
            }

            @Override
            public LoadableModule init(ModuleSite site, JarContents jar) {
                return domains.domain(p.domain()).load(site, jar);
            }
        });
    }
}
