package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.gate.Frames;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import dev.jdm.cli.HostProcess.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Starts {@code jdm host} as a real process and drives it with the real {@code jdm} CLI process. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostProcessIT {
    static HostProcess host;
    static Path dir;
    static Path socket;
    static final Path CLI = HostProcess.CLI;

    static Result jdm(String... args) throws Exception {
        return host.jdm(args);
    }

    @BeforeAll
    static void startHost() throws Exception {
        host = HostProcess.start("jdm-it", "--nbd-tcp", "off");
        dir = host.dir();
        socket = host.socket();
        assertThat(host.banner()).as("host banner").anyMatch(l -> l.startsWith("call gate: " + socket))
                .anyMatch(l -> l.contains("module:    hello (live)"));
    }

    @AfterAll
    static void stopHost() throws Exception {
        host.close();
    }

    @Test
    @Order(1)
    void shouldListAndDescribeTheDefaultModule() throws Exception {
        Result ls = jdm("lsmod");
        assertThat(ls.code()).isZero();
        assertThat(ls.out()).startsWith("Module").contains("hello");
        Result info = jdm("modinfo", "-F", "license", "hello");
        assertThat(info.out().strip()).isEqualTo("GPL");
        Result offline = jdm("modinfo", CLI.resolve("modules/kstack.jar").toString());
        assertThat(offline.out()).contains("parm:           capacity:most values held (long, default 1024)");
        Result json = jdm("lsmod", "--json");
        assertThat(json.out()).contains("\"name\" : \"hello\"");
    }

    @Test
    @Order(2)
    void shouldLoadWithDependenciesAndRefuseRemovingABusyOne() throws Exception {
        Result ins = jdm("insmod", CLI.resolve("modules/kstack-user.jar").toString());
        assertThat(ins.code()).as(ins.err()).isZero();
        assertThat(jdm("lsmod").out()).containsPattern("kstack\\s+\\d+\\s+1 kstack-user");
        Result busy = jdm("rmmod", "kstack");
        assertThat(busy.code()).isEqualTo(1);
        assertThat(busy.err().lines().toList()).hasSize(1);
        assertThat(busy.err()).contains("kstack: module is in use by: kstack-user").contains("[EBUSY]");
        Result slated = jdm("rmmod", "--wait", "kstack");
        assertThat(slated.out()).contains("slated");
        assertThat(jdm("rmmod", "kstack-user").code()).isZero();
        assertThat(jdm("lsmod").out()).doesNotContain("kstack");
        assertThat(jdm("dmesg").out()).contains("kstack-user: popped back, sum 60").contains("host: kstack: unloaded");
    }

    @Test
    @Order(3)
    void shouldExplainSymbolsAndRefuseUnknownOnes() throws Exception {
        Result ok = jdm("abi", "explain", "dev.jdm.abi.mem.Kmem#stats()Ldev/jdm/abi/mem/MemStats;");
        assertThat(ok.out()).contains("type dev.jdm.abi.mem.MemStats record provided final").contains("  component kmallocObjects J");
        Result unknown = jdm("abi", "explain", "dev.jdm.abi.mem.Kmem#nope()V");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown symbol dev.jdm.abi.mem.Kmem#nope()V");
        Result probe = jdm("modprobe", "-n", "kstack-user");
        assertThat(probe.out()).contains("insmod ").contains("kstack.jar").contains("kstack-user.jar");
    }

    @Test
    @Order(4)
    void shouldSurviveGarbageAndMalformedCalls() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            Frames.write(out, new byte[] {(byte) 0xff, 0x01, 0x02});                 // not protobuf
            assertThat(Response.parseFrom(Frames.read(in)).getError().getCode()).isEqualTo("EPROTO");
            Frames.write(out, Request.newBuilder().setVersion(1).setId(7).build().toByteArray()); // no call
            Response r = Response.parseFrom(Frames.read(in));
            assertThat(r.getId()).isEqualTo(7);
            assertThat(r.getError().getCode()).isEqualTo("ENOSYS");
            Frames.write(out, Request.newBuilder().setVersion(99).setId(8).build().toByteArray());
            assertThat(Response.parseFrom(Frames.read(in)).getError().getMessage()).contains("version 99");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(java.nio.ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            assertThat(ch.read(java.nio.ByteBuffer.allocate(16))).isEqualTo(-1); // only this connection closes
        }
        assertThat(jdm("lsmod").code()).isZero();
    }

    @Test
    @Order(5)
    void shouldRefuseBadFilesWithOneLine() throws Exception {
        Path bad = Files.write(dir.resolve("bad.jar"), "not a jar".getBytes(StandardCharsets.UTF_8));
        Result r = jdm("insmod", bad.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.jar: not a valid JAR").contains("[ENOEXEC]");
        assertThat(r.err().lines().toList()).hasSize(1);
        Result missing = jdm("insmod", dir.resolve("nope.jar").toString());
        assertThat(missing.code()).isEqualTo(2);
        Result noHost = jdmAt(dir.resolve("none.sock"), "lsmod");
        assertThat(noHost.code()).isEqualTo(3);
        assertThat(noHost.err()).contains("cannot reach a jdm host at");
    }

    static Result jdmAt(Path otherSocket, String... args) throws Exception {
        return HostProcess.run(HostProcess.javaCommandAt(otherSocket, args));
    }

    @Test
    @Order(6)
    void shouldLockModuleLoadingOneWay() throws Exception {
        assertThat(jdm("sysctl", "-w", "module.load_locked=1").code()).isZero();
        Result ins = jdm("insmod", CLI.resolve("modules/kstack.jar").toString());
        assertThat(ins.code()).isEqualTo(1);
        assertThat(ins.err()).contains("module.load_locked=1").contains("[EPERM]");
        Result unset = jdm("sysctl", "-w", "module.load_locked=0");
        assertThat(unset.err()).contains("cannot be cleared");
        assertThat(jdm("sysctl", "module.load_locked").out().strip()).isEqualTo("module.load_locked = 1");
    }

    @Test
    @Order(7)
    void shouldStopCleanlyOnSigterm() throws Exception {
        host.process().destroy(); // SIGTERM
        assertThat(host.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(host.process().exitValue()).isIn(0, 143);
        assertThat(socket).doesNotExist();
    }

    @Test
    @Order(5) // before loading is locked (6)
    void shouldRunAModuleInAnIsolatedDomainAndListWhereItRuns() throws Exception {
        Result bad = jdm("insmod", "--domain", "isolated:no/slash", CLI.resolve("modules/faultdisk.jar").toString(), "name=faultiso", "size=16M");
        assertThat(bad.code()).as(bad.err()).isEqualTo(1);
        assertThat(bad.err()).contains("domain=\"isolated:no/slash\" is not colocated, isolated or isolated:NAME").contains("[EINVAL]");
        Result ins = jdm("insmod", "--domain", "isolated:it", CLI.resolve("modules/faultdisk.jar").toString(), "name=faultiso", "size=16M");
        assertThat(ins.code()).as(ins.err()).isZero();
        assertThat(jdm("lsmod").out()).containsPattern("(?m)^faultdisk\\s.*isolated:it$");
        assertThat(jdm("lsmod", "--json").out()).contains("\"domain\" : \"isolated:it\"");
        assertThat(jdm("blk", "ls").out()).containsPattern("faultiso\\s+16 MiB");
        assertThat(jdm("dmesg").out()).contains("domain: it: started, pid").contains("faultdisk: faultiso: 16 MiB");
        Result rm = jdm("rmmod", "faultdisk");
        assertThat(rm.code()).as(rm.err()).isZero();
        assertThat(jdm("blk", "ls").out()).doesNotContain("faultiso");
    }
}
