package dev.jdm.host.domain;

import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.isolation.process.DomainProcess;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The files and streams granted to a domain's modules. A module asks (GRANT_FILE, GRANT_PATH,
 * GRANT_STREAM); the host opens the file or node through the module's own grants (their checks and
 * log line; closed when the module goes) and passes the descriptor. The domain gets the access the
 * host opened it with, and nothing it could reach by path. When the process dies every grant is
 * revoked: the restarted modules ask again.
 */
final class DomainGrants {
    /** What the host holds for one grant: the module's, closed with GRANT_CLOSE, the module or the process. */
    private record Granted(String module, Runnable close) {}

    /** By the handle the domain closes them with. */
    private final Map<Long, Granted> grants = new ConcurrentHashMap<>();
    private final AtomicLong handles = new AtomicLong();

    /** Answers request {@code id} of {@code module} with GRANTED: the file {@code open} opens through its grants, or why not. */
    void grant(DomainProcess p, long id, String module, Supplier<GrantedFile> open) {
        DomainProtocol.Writer w = new DomainProtocol.Writer().l(id);
        GrantedFile file;
        try {
            file = open.get();
        } catch (GrantException e) {
            refuse(p, w, e);
            return;
        }
        long handle = hold(module, file::close);
        w.i(0).message("").l(handle).message(file.path()).b(file.readOnly()).b(file.direct()).b(file.blockDevice());
        DomainChannel.sendQuietly(p, DomainProtocol.GRANTED, w.bytes(), GrantDescriptors.descriptor(file));
    }

    /** Answers request {@code id} with GRANTED: the stream {@code open} opens (read-only, never read on the host), or why not. */
    void grantStream(DomainProcess p, long id, String module, Supplier<GrantedStream> open) {
        DomainProtocol.Writer w = new DomainProtocol.Writer().l(id);
        GrantedStream stream;
        try {
            stream = open.get();
        } catch (GrantException e) {
            refuse(p, w, e);
            return;
        }
        long handle = hold(module, stream::close);
        w.i(0).message("").l(handle).message(stream.path()).b(true).b(false).b(false);
        DomainChannel.sendQuietly(p, DomainProtocol.GRANTED, w.bytes(), GrantDescriptors.descriptor(stream));
    }

    private static void refuse(DomainProcess p, DomainProtocol.Writer w, GrantException e) {
        DomainChannel.sendQuietly(p, DomainProtocol.GRANTED, w.i(e.errno()).message(e.getMessage()).bytes());
    }

    private long hold(String module, Runnable close) {
        long handle = handles.incrementAndGet();
        grants.put(handle, new Granted(module, close));
        return handle;
    }

    /** The module closed a grant; a handle of another module's is ignored. */
    void close(String module, long handle) {
        Granted g = grants.get(handle);
        if (g != null && g.module.equals(module)) {
            grants.remove(handle);
            g.close.run();
        }
    }

    /** The module went: its grants service closes its files and streams. */
    void forget(String module) {
        grants.values().removeIf(g -> g.module.equals(module));
    }

    /** The process died: everything it held is closed. */
    void revokeAll() {
        grants.values().forEach(g -> g.close.run());
        grants.clear();
    }
}
