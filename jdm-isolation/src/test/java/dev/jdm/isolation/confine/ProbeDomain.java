package dev.jdm.isolation.confine;

import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainContext;
import dev.jdm.isolation.process.DomainEntry;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A misbehaving test domain: tries what its grants do not allow and reports each outcome as
 * {@code key=outcome} lines. Arguments: a file outside the grants, a file inside a read-only grant,
 * a read-write directory, a TCP port on 127.0.0.1, the path of the file the host passes as a
 * descriptor in a frame of type 30.
 */
public final class ProbeDomain implements DomainEntry {
    public static final int PASSED_FILE = 30;
    public static final int REPORT = 31;

    @Override
    public void run(DomainContext context) throws Exception {
        var a = context.args();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("outside", attempt(() -> {
            try (var in = new java.io.FileInputStream(new java.io.File(a.get(0)))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }));
        out.put("granted", attempt(() -> Files.readString(Path.of(a.get(1)))));
        out.put("writeReadOnly", attempt(() -> {
            try (var o = new java.io.FileOutputStream(new java.io.File(a.get(1)))) {
                o.write(1);
                return "written";
            }
        }));
        out.put("writeGranted", attempt(() -> {
            Path p = Path.of(a.get(2), "made-by-domain");
            Files.writeString(p, "domain");
            return Files.readString(p);
        }));
        out.put("tcp", attempt(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(a.get(3))), 2000);
                return "connected";
            }
        }));
        out.put("shadow", ffmOpen("/etc/shadow"));
        out.put("passedPathOpen", ffmOpen(a.get(4)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rl = arena.allocate(16, 8);
            Sys.call("getrlimit", Sys.GETRLIMIT, 7 /* RLIMIT_NOFILE */, rl);
            out.put("nofile", rl.get(ValueLayout.JAVA_LONG, 0) + "/" + rl.get(ValueLayout.JAVA_LONG, 8));
        }
        out.put("noNewPrivs", Long.toString(Sys.call("prctl", Sys.PRCTL, 39 /* PR_GET_NO_NEW_PRIVS */, 0L, 0L, 0L, 0L)));
        Frame f = context.channel().expect(PASSED_FILE);
        out.put("passedFds", Integer.toString(f.fds().length));
        if (f.fds().length == 1) {
            out.put("passedRead", readFd(f.fds()[0]));
            Sys.close(f.fds()[0]);
        }
        context.channel().send(REPORT, out.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n")).getBytes(StandardCharsets.UTF_8));
    }

    interface Attempt {
        String run() throws IOException;
    }

    private static String attempt(Attempt a) {
        try {
            return "ok:" + a.run();
        } catch (IOException | RuntimeException e) {
            return "denied:" + e;
        }
    }

    private static String ffmOpen(String path) {
        try {
            int fd = Sys.open(path, Sys.O_RDONLY, 0);
            Sys.close(fd);
            return "opened";
        } catch (SysException e) {
            return e.errnoName();
        }
    }

    private static String readFd(int fd) throws SysException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            long n = Sys.pread(fd, buf, 256, 0);
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }
}
