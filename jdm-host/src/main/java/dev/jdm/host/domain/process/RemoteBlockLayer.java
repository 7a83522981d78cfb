package dev.jdm.host.domain.process;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockExtents;
import dev.jdm.host.block.LuBuilder;
import dev.jdm.abi.blk.BlockDriver;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.abi.blk.BlockQueueDriver;
import dev.jdm.abi.grant.GrantException;
import dev.jdm.abi.grant.GrantedFile;
import dev.jdm.abi.grant.GrantedStream;
import dev.jdm.abi.grant.StreamReceiver;
import dev.jdm.abi.LogLevel;
import dev.jdm.abi.grant.Grants;
import dev.jdm.errno.Errno;
import dev.jdm.host.domain.DomainProtocol;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.UnixSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

/**
 * A module's block layer in a domain: {@code register} asks the host (REGISTER_LU), which registers
 * the LU through the module's own block layer there, after handing over the LU's ring (LU_ATTACHED);
 * the host's checks of the name and geometry are the ones that count, and their refusal comes back
 * as the same exception a colocated module would get.
 */
final class RemoteBlockLayer implements BlockLayer {
    private final String module;
    private final HostLink host;
    private final List<DomainLu> lus = new CopyOnWriteArrayList<>();
    private final List<RemoteGrantedFile> files = new CopyOnWriteArrayList<>();
    private final List<RemoteGrantedStream> streams = new CopyOnWriteArrayList<>();

    RemoteBlockLayer(String module, HostLink host) {
        this.module = module;
        this.host = host;
    }

    @Override
    public BlockDevice.Builder device(String name) {
        return new Builder(name);
    }

    /** Files come from the host as descriptors (GRANT_FILE, GRANT_PATH); the domain cannot open a path itself. */
    @Override
    public Grants grants() {
        return new Grants() {
            @Override
            public GrantedFile file(String param, int flags) {
                return adopt("grant " + param, () -> host.grant(module, param, flags));
            }

            @Override
            public GrantedFile fileAt(String path, int flags) {
                return adopt("grant of " + path, () -> host.grantPath(module, path, flags));
            }

            @Override
            public GrantedStream stream(String param, StreamReceiver receiver) {
                return adoptStream(param, receiver);
            }
        };
    }

    private interface GrantCall {
        HostLink.Granted ask() throws InterruptedException;
    }

    /** The host's answer, or the refusal it names. */
    private HostLink.Granted ask(String what, GrantCall call) {
        HostLink.Granted g;
        try {
            g = call.ask();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GrantException(module + ": " + what + ": interrupted", Errno.EINTR.number());
        }
        if (g.errno() != 0) {
            throw new GrantException(g.message(), g.errno());
        }
        return g;
    }

    /** Tells the host that the module closed the grant {@code handle}, which closes the host's copy. */
    private void closeOnHost(long handle) {
        host.send(DomainProtocol.GRANT_CLOSE, new DomainProtocol.Writer().name(module).l(handle).bytes());
    }

    /** The host's answer as a file of this module's, closed on the host too when the module closes it. */
    private GrantedFile adopt(String what, GrantCall call) {
        HostLink.Granted g = ask(what, call);
        RemoteGrantedFile[] file = new RemoteGrantedFile[1];
        file[0] = new RemoteGrantedFile(GrantDescriptors.adopt(g.path(), g.fd(), g.readOnly(), g.direct(), g.blockDevice()), () -> {
            files.remove(file[0]);
            closeOnHost(g.handle());
        });
        files.add(file[0]);
        return file[0];
    }

    /**
     * The node the host opened for {@code param}, read on a thread of this domain (as the host reads
     * a colocated module's) and handed to {@code receiver}; closed on the host too when the module closes it.
     */
    private GrantedStream adoptStream(String param, StreamReceiver receiver) {
        HostLink.Granted g = ask("grant " + param, () -> host.grantStream(module, param));
        GrantedStream local = GrantDescriptors.adoptStream(module, g.path(), g.fd(), receiver, m -> host.log(module, LogLevel.WARNING, m));
        RemoteGrantedStream[] stream = new RemoteGrantedStream[1];
        stream[0] = new RemoteGrantedStream(local, () -> {
            streams.remove(stream[0]);
            closeOnHost(g.handle());
        });
        streams.add(stream[0]);
        return stream[0];
    }

    /** The module is gone: its LU servers stop; the domain's copies of files it left open close (the host reports them). */
    void close() {
        lus.forEach(DomainLu::close);
        lus.clear();
        for (RemoteGrantedFile f : files) {
            f.closeHere();
        }
        files.clear();
        for (RemoteGrantedStream s : streams) {
            s.closeHere();
        }
        streams.clear();
    }

    private final class Builder extends LuBuilder {
        Builder(String name) {
            super(module, name);
        }

        @Override
        public BlockDevice register(BlockDriver driver) {
            return registerQueue(batch -> {
                for (int i = 0; i < batch.size(); i++) {
                    driver.submit(batch.get(i));
                }
            });
        }

        @Override
        public BlockDevice registerQueue(BlockQueueDriver driver) {
            CompletableFuture<HostLink.Answer> attached = new CompletableFuture<>();
            CompletableFuture<HostLink.Answer> registered = new CompletableFuture<>();
            DomainLu[] lu = new DomainLu[1];
            BlockExtents holes = extents;
            attached.thenAccept(a -> lu[0] = DomainLu.start(module, name, new ControlChannel(UnixSocket.adopt(a.fd())), driver, holes, host));
            long id = host.call(attached, registered);
            host.send(DomainProtocol.REGISTER_LU, new DomainProtocol.Writer().l(id).name(module).name(name).l(size).i(lbs)
                    .i(pbs == 0 ? lbs : pbs).i(caps).l(guard).b(extents != null).bytes());
            HostLink.Answer a;
            try {
                a = registered.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(module + ": interrupted while the host registered " + name);
            } catch (ExecutionException e) {
                throw new IllegalStateException(module + ": registering " + name + ": " + e.getCause());
            }
            if (a.errno() != 0) {
                if (lu[0] != null) {
                    lu[0].close();
                }
                throw a.errno() == Errno.EEXIST.number() ? new IllegalStateException(a.message()) : new IllegalArgumentException(a.message());
            }
            DomainLu served = lu[0];
            lus.add(served);
            return new RemoteDevice(module, name, size, guard, host, served, () -> lus.remove(served));
        }
    }
}
