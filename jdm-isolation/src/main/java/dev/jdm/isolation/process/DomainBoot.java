package dev.jdm.isolation.process;

import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.channel.Rendezvous;
import dev.jdm.isolation.confine.Confinement;
import dev.jdm.isolation.confine.ConfinementException;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage one of a domain: a short-lived JVM that reaches the host, confines the thread that runs
 * {@code main}, and then {@code execve}s the domain JVM from that same thread.
 *
 * <p>Why two JVMs: Landlock and no_new_privs apply to the calling thread only (kernel 6.18 has no
 * flag for all threads), while a JVM runs a dozen threads before {@code main}. {@code execve}
 * replaces the whole process, ends every other thread, and the new image inherits the calling
 * thread's Landlock domain, no_new_privs, uids and rlimits. So every thread of the domain JVM, from
 * its first instruction on, is confined; no module code ever runs in this stage. The cost is one
 * extra JVM start (about 100 ms), paid once per domain start.
 *
 * <p>Descriptors: before the exec every descriptor but 0-2 and the control socket is marked
 * close-on-exec ({@code close_range(CLOSE_RANGE_CLOEXEC)}), because the JDK opens class-path jars
 * without O_CLOEXEC and an inherited descriptor would be a capability outside the grants. The
 * control socket's number reaches the domain JVM as {@code -Djdm.domain.fd=N}.
 *
 * <p>Arguments: the rendezvous socket path; the token arrives on stdin.
 */
public final class DomainBoot {
    private static final int CLOSE_RANGE_CLOEXEC = 1 << 2;

    private DomainBoot() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: DomainBoot SOCKET (token on stdin)");
            System.exit(2);
        }
        ControlChannel ch;
        try {
            String token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (token == null) {
                throw new IOException("no token on stdin");
            }
            ch = Rendezvous.connect(Path.of(args[0]), token);
        } catch (IOException | RuntimeException e) {
            System.err.println("jdm domain boot: rendezvous with " + args[0] + " failed: " + e.getMessage());
            System.exit(BootProtocol.EXIT_BOOT_FAILED);
            return;
        }
        try {
            Frame f = ch.expect(BootProtocol.BOOT);
            f.closeFds();
            BootProtocol.Boot boot = BootProtocol.decodeBoot(f.payload());
            Confinement.Report report = Confinement.apply(boot.plan());
            exec(ch.socket().fd(), report.landlockAbi(), boot.argv(), boot.env());
        } catch (ConfinementException | IOException | RuntimeException e) {
            fail(ch, e.getMessage());
        }
    }

    private static void fail(ControlChannel ch, String message) {
        try {
            ch.send(BootProtocol.FAILED, ("domain boot: " + message).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException ignored) {
            // The host sees the exit code and stderr instead.
        }
        System.err.println("jdm domain boot: " + message);
        System.exit(BootProtocol.EXIT_BOOT_FAILED);
    }

    private static void exec(int controlFd, int landlockAbi, List<String> argv, List<String> env) throws IOException {
        List<String> args = new ArrayList<>(argv);
        args.add(1, "-Djdm.domain.fd=" + controlFd);
        args.add(2, "-Djdm.domain.landlock=" + landlockAbi);
        try {
            Sys.fcntl(controlFd, Sys.F_SETFD, 0);
            if (controlFd > 3) {
                Sys.call("close_range(3, " + (controlFd - 1) + ", CLOEXEC)", Sys.CLOSE_RANGE, 3, controlFd - 1, CLOSE_RANGE_CLOEXEC);
            }
            Sys.call("close_range(" + (controlFd + 1) + ", ~0, CLOEXEC)", Sys.CLOSE_RANGE, controlFd + 1, -1, CLOSE_RANGE_CLOEXEC);
        } catch (SysException e) {
            throw new IOException("preparing descriptors for execve: " + e.getMessage(), e);
        }
        Arena arena = Arena.global();
        MemorySegment path = arena.allocateFrom(args.get(0));
        Sys.call("execve(" + args.get(0) + ")", Sys.EXECVE, path, strings(arena, args), strings(arena, env));
        throw new IOException("execve(" + args.get(0) + ") returned");
    }

    private static MemorySegment strings(Arena arena, List<String> list) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, list.size() + 1L);
        for (int i = 0; i < list.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(list.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, list.size(), MemorySegment.NULL);
        return array;
    }
}
