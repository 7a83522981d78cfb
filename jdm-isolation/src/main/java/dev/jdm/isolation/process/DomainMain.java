package dev.jdm.isolation.process;

import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.UnixSocket;
import dev.jdm.isolation.sys.Sys;
import java.util.Arrays;
import java.util.List;

/**
 * Stage two: the domain JVM, exec'd by {@link DomainBoot} already confined. It takes the inherited
 * control socket ({@code -Djdm.domain.fd}), marks it close-on-exec again, watches it for the host's
 * end ({@link HostWatch}), reports READY and runs the {@link DomainEntry} named by its first
 * argument with the rest.
 */
public final class DomainMain {
    private DomainMain() {}

    public static void main(String[] args) throws Exception {
        Integer fd = Integer.getInteger("jdm.domain.fd");
        if (fd == null || args.length < 1) {
            System.err.println("usage: DomainMain ENTRY-CLASS [ARGS] with -Djdm.domain.fd=N (started by DomainBoot)");
            System.exit(2);
        }
        Sys.fcntl(fd, Sys.F_SETFD, Sys.FD_CLOEXEC);
        int abi = Integer.getInteger("jdm.domain.landlock", 0);
        ControlChannel ch = new ControlChannel(UnixSocket.adopt(fd));
        HostWatch.start(fd);
        ch.send(BootProtocol.READY, new BootProtocol.Ready(Sys.getpid(), Sys.getuid(), Sys.getgid(), abi).encode());
        DomainEntry entry;
        try {
            entry = Class.forName(args[0]).asSubclass(DomainEntry.class).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            System.err.println("jdm domain: entry class " + args[0] + " is not a public DomainEntry with a public no-argument constructor: " + e);
            System.exit(1);
            return;
        }
        try {
            entry.run(new DomainContext(ch, List.copyOf(Arrays.asList(args).subList(1, args.length)), abi));
        } catch (Exception e) {
            System.err.println("jdm domain: entry " + args[0] + " failed");
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
