package dev.jdm.host.domain.process;

import dev.jdm.abi.grant.GrantedStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** A granted stream in a domain: read from the received descriptor here; closing it also tells the host to close its copy. */
final class RemoteGrantedStream implements GrantedStream {
    private final GrantedStream stream;
    private final Runnable closed;
    private final AtomicBoolean open = new AtomicBoolean(true);

    RemoteGrantedStream(GrantedStream stream, Runnable closed) {
        this.stream = stream;
        this.closed = closed;
    }

    @Override
    public String path() {
        return stream.path();
    }

    /** Stops the domain's reader and closes its descriptor only; the host closes (and reports) its own when the module goes. */
    void closeHere() {
        if (open.compareAndSet(true, false)) {
            stream.close();
        }
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            stream.close();
            closed.run();
        }
    }
}
