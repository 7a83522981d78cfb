package dev.jdm.host.security;

import dev.jdm.abi.sec.LogSink;
import dev.jdm.abi.sec.PolicyException;
import dev.jdm.abi.sec.SecurityModule;
import dev.jdm.abi.sec.SecurityRegistrar;
import dev.jdm.host.HostException;
import dev.jdm.errno.Errno;
import dev.jdm.host.sys.Libc;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One loadable module's way into the stack ({@code ModuleContext.security()}). */
final class Registrar implements SecurityRegistrar {
    private static final Pattern LOG_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Security security;
    private final String module;
    private final boolean permissive;
    private final List<RotatingLog> logs = new ArrayList<>();
    private volatile StackedModule stacked;

    Registrar(Security security, String module, boolean permissive) {
        this.security = security;
        this.module = module;
        this.permissive = permissive;
    }

    @Override
    public synchronized void register(SecurityModule impl) {
        if (impl == null) {
            throw new IllegalArgumentException(module + ": register(null)");
        }
        if (stacked != null) {
            throw new IllegalStateException(module + ": a module registers one security module; it registered " + stacked.name + " already");
        }
        String policy = security.policyText(module);
        if (policy != null) {
            try {
                impl.policy(policy);
            } catch (PolicyException e) {
                throw new HostException(Errno.EINVAL, module + ": policy " + security.policyFile(module) + ":" + e.line() + ":" + e.column()
                        + ": " + e.getMessage());
            } catch (UnsupportedOperationException e) {
                security.warn(module + ": ignoring " + security.policyFile(module) + ": the module takes no policy");
            }
        }
        stacked = security.stack().register(module, impl, permissive, this);
        security.info(module + ": security module registered, id " + stacked.id + (permissive ? ", permissive (denies are only recorded)" : ""));
    }

    @Override
    public boolean permissive() {
        return permissive;
    }

    @Override
    public int hostUid() {
        return Libc.getuid();
    }

    @Override
    public synchronized LogSink openLog(String name, long maxBytes, int keep) {
        if (name == null || !LOG_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(module + ": log name \"" + name + "\": letters, digits, '-' and '_' only");
        }
        RotatingLog log = new RotatingLog(security.stateDir().resolve("security").resolve(module).resolve(name + ".log"), maxBytes, keep);
        logs.add(log);
        return log;
    }

    StackedModule stacked() {
        return stacked;
    }

    String module() {
        return module;
    }

    synchronized void closeLogs() {
        logs.forEach(RotatingLog::close);
    }
}
