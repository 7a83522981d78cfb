package dev.jdm.host.domain;

import dev.jdm.abi.Log;
import dev.jdm.abi.LogLevel;
import dev.jdm.abi.sec.Vote;
import dev.jdm.host.grant.GrantDescriptors;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.ControlChannelException;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainProcess;
import java.io.EOFException;
import java.io.IOException;

/**
 * Reads one domain process's control channel and acts on each frame it sends. Everything is checked
 * ({@link DomainProtocol.Reader}): a malformed frame, or one naming a module that is not in the
 * domain, kills the process. Frames of a process the domain no longer serves are dropped.
 */
final class DomainFrames {
    private final Domain domain;
    private final DomainProcess process;
    private final DomainLus lus;
    private final DomainGrants grants;

    private DomainFrames(Domain domain, DomainProcess process, DomainLus lus, DomainGrants grants) {
        this.domain = domain;
        this.process = process;
        this.lus = lus;
        this.grants = grants;
    }

    /** Starts the reader of {@code p}'s channel on a thread of its own. */
    static void start(Domain domain, DomainProcess p, DomainLus lus, DomainGrants grants) {
        DomainFrames frames = new DomainFrames(domain, p, lus, grants);
        Thread.ofPlatform().daemon().name("domain-" + domain.name() + "-" + p.pid()).start(frames::read);
    }

    private void read() {
        ControlChannel ch = process.channel();
        try {
            while (true) {
                Frame f = ch.receive();
                try {
                    if (domain.process() == process) {
                        domain.heard();
                        handle(f);
                    }
                } finally {
                    f.closeFds();
                }
            }
        } catch (EOFException e) {
            // the domain ended; its exit is reported
        } catch (ControlChannelException e) {
            domain.fault(process, e.getMessage());
        } catch (IOException e) {
            if (process.isAlive()) {
                domain.fault(process, "control channel: " + e.getMessage());
            }
        }
    }

    private void handle(Frame f) throws ControlChannelException {
        switch (f.type()) {
            case DomainProtocol.LOADED, DomainProtocol.UNLOADED -> {
                boolean loaded = f.type() == DomainProtocol.LOADED;
                DomainProtocol.Reader in = new DomainProtocol.Reader(loaded ? "LOADED" : "UNLOADED", f.payload());
                String module = in.name("module");
                int errno = in.i("errno", 0, 4095);
                String message = in.message("message");
                in.end();
                domain.answered(loaded, module, errno, message);
            }
            case DomainProtocol.LOG -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("LOG", f.payload());
                ModuleSite s = domain.site(in.name("module"));
                LogLevel level = LogLevel.values()[in.i("level", 0, LogLevel.values().length - 1)];
                String message = in.message("message");
                in.end();
                s.face(Log.class).log(level, message);
            }
            case DomainProtocol.REGISTER_LU -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("REGISTER_LU", f.payload());
                long id = in.l("id");
                ModuleSite s = domain.site(in.name("module"));
                var r = new DomainLus.Registration(in.name("lu"), in.l("size"), in.i("logical block size"), in.i("physical block size"),
                        in.i("capabilities"), in.l("boot guard"), in.b("extents"));
                in.end();
                lus.register(process, id, s, r);
            }
            case DomainProtocol.REMOVE_LU -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("REMOVE_LU", f.payload());
                String module = domain.site(in.name("module")).name();
                String lu = in.name("lu");
                in.end();
                lus.remove(module, lu);
            }
            case DomainProtocol.BOOT_GUARD -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("BOOT_GUARD", f.payload());
                String module = domain.site(in.name("module")).name();
                String lu = in.name("lu");
                long bytes = in.l("bytes");
                in.end();
                lus.bootGuard(module, lu, bytes);
            }
            case DomainProtocol.PONG -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("PONG", f.payload());
                in.l("seq");
                in.end(); // its arrival is the answer: the domain heard from it already
            }
            case DomainProtocol.GRANT_FILE -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("GRANT_FILE", f.payload());
                long id = in.l("id");
                ModuleSite s = domain.site(in.name("module"));
                String param = in.string("param", DomainProtocol.MAX_NAME);
                int flags = in.i("flags");
                in.end();
                grants.grant(process, id, s.name(), () -> s.face(dev.jdm.abi.grant.Grants.class).file(param, flags));
            }
            case DomainProtocol.GRANT_PATH -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("GRANT_PATH", f.payload());
                long id = in.l("id");
                ModuleSite s = domain.site(in.name("module"));
                String path = in.message("path");
                int flags = in.i("flags");
                in.end();
                grants.grant(process, id, s.name(), () -> s.face(dev.jdm.abi.grant.Grants.class).fileAt(path, flags));
            }
            case DomainProtocol.GRANT_STREAM -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("GRANT_STREAM", f.payload());
                long id = in.l("id");
                ModuleSite s = domain.site(in.name("module"));
                String param = in.string("param", DomainProtocol.MAX_NAME);
                in.end();
                grants.grantStream(process, id, s.name(),
                        () -> GrantDescriptors.streamForDescriptor(s.face(dev.jdm.abi.grant.Grants.class), param));
            }
            case DomainProtocol.REGISTER_LSM -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("REGISTER_LSM", f.payload());
                long id = in.l("id");
                ModuleSite s = domain.site(in.name("module"));
                in.end();
                // not on this reader: the stack's registration may take locks a check holds while it waits for a vote
                Thread.ofVirtual().name("domain-lsm-" + s.name()).start(() -> {
                    int errno = 0;
                    String message = "";
                    try {
                        domain.security().register(s);
                    } catch (dev.jdm.host.HostException e) {
                        errno = e.code().number();
                        message = e.getMessage();
                    } catch (RuntimeException e) {
                        errno = dev.jdm.errno.Errno.EINVAL.number();
                        message = e.getMessage();
                    }
                    DomainChannel.sendQuietly(process, DomainProtocol.LSM_REGISTERED, new DomainProtocol.Writer().l(id).i(errno).message(message).bytes());
                });
            }
            case DomainProtocol.VOTED -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("VOTED", f.payload());
                long id = in.l("id");
                Vote.Kind kind = Vote.Kind.values()[in.i("kind", 0, Vote.Kind.values().length - 1)];
                int errno = in.i("errno", 0, 4095);
                boolean hasReason = in.b("reason present");
                String reason = in.message("reason");
                in.end();
                Vote vote;
                try {
                    vote = new Vote(kind, errno, hasReason ? reason : null);
                } catch (RuntimeException e) {
                    vote = Vote.deny(Vote.EACCES, "a vote from domain " + domain.name() + " the ABI refuses: " + e.getMessage());
                }
                domain.security().answer(id, vote);
            }
            case DomainProtocol.GRANT_CLOSE -> {
                DomainProtocol.Reader in = new DomainProtocol.Reader("GRANT_CLOSE", f.payload());
                String module = domain.site(in.name("module")).name();
                long handle = in.l("handle");
                in.end();
                grants.close(module, handle);
            }
            default -> {
                if (!domain.chr().handle(process, f) && !domain.hw().handle(process, f) && !domain.usb().handle(process, f)) {
                    throw new ControlChannelException("frame type " + f.type() + " is not one a domain sends");
                }
            }
        }
    }
}
