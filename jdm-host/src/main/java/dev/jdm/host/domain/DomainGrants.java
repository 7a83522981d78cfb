package dev.jdm.host.domain;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.isolation.process.DomainProcess;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The files granted to a domain's modules. A module asks (GRANT_FILE); the host opens the file
 * through the module's own grants (their checks and log line; closed when the module goes) and
 * passes the descriptor. The domain gets the access the host opened it with, and nothing it could
 * reach by path. When the process dies every grant is revoked: the restarted modules ask again.
 */
final class DomainGrants {
    private record Granted(String module, GrantedFile file) {}

    /** By the handle the domain closes them with. */
    private final Map<Long, Granted> grants = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong();

    /** Answers request {@code id} of {@code module} with GRANTED: the file {@code open} opens through its grants, or why not. */
    void grant(DomainProcess p, long id, String module, java.util.function.Supplier<GrantedFile> open) {
        DomainProtocol.Writer w = new DomainProtocol.Writer().l(id);
        GrantedFile file;
        try {
            file = open.get();
        } catch (GrantException e) {
            DomainChannel.sendQuietly(p, DomainProtocol.GRANTED, w.i(e.errno()).message(e.getMessage()).bytes());
            return;
        }
        long handle = handles.incrementAndGet();
        grants.put(handle, new Granted(module, file));
        w.i(0).message("").l(handle).message(file.path()).b(file.readOnly()).b(file.direct()).b(file.blockDevice());
        DomainChannel.sendQuietly(p, DomainProtocol.GRANTED, w.bytes(), GrantDescriptors.descriptor(file));
    }

    /** The module closed a grant; a handle of another module's is ignored. */
    void close(String module, long handle) {
        Granted g = grants.get(handle);
        if (g != null && g.module.equals(module)) {
            grants.remove(handle);
            g.file.close();
        }
    }

    /** The module went: its grants service closes its files. */
    void forget(String module) {
        grants.values().removeIf(g -> g.module.equals(module));
    }

    /** The process died: everything it held is closed. */
    void revokeAll() {
        grants.values().forEach(g -> g.file.close());
        grants.clear();
    }
}
