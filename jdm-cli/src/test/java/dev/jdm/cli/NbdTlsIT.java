package dev.jdm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.host.export.nbd.tls.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jdm host --nbd-tls require} against real TLS peers on 127.0.0.1: nbdinfo and nbdcopy
 * (libnbd on gnutls) and qemu-img with {@code tls-creds-x509}, with certificates made by certtool.
 * Client certificates map to credentials through {@code [[nbd.tls.client]]}, and the default
 * security stack (caps, devacl, audit) decides: {@code CN=diskop} is in the disk group and may
 * write, {@code CN=backup01} is uid 65534 and may not open the export for writing.
 */
class NbdTlsIT {
    static HostProcess host;
    static TestCertificates ca;
    static Path diskop;
    static Path backup;
    static int port;

    @BeforeAll
    static void startHost() throws Exception {
        assumeTrue(TestCertificates.available(), "certtool is not installed (Debian package gnutls-bin); skipping the NBD TLS tests");
        Path certs = Files.createTempDirectory("jdm-nbd-tls-certs");
        ca = TestCertificates.create(certs.resolve("ca"), "rsa");
        diskop = ca.client("diskop");
        backup = ca.client("backup01");
        Path config = certs.resolve("host.toml");
        Files.writeString(config, """
                [[modules]]
                name = "caps"
                [[modules]]
                name = "devacl"
                [[modules]]
                name = "audit"

                [nbd]
                [[nbd.memory]]
                name = "mem0"
                size = "64M"

                [nbd.tls]
                mode = "require"
                certificates = "%s"
                verify_peer = true

                [[nbd.tls.client]]
                subject = "CN=diskop"
                uid = 4242
                gid = 4242
                groups = [6]

                [[nbd.tls.client]]
                subject = "CN=backup01"
                uid = 65534
                gid = 65534
                """.formatted(ca.serverDir()));
        host = HostProcess.start("jdm-nbd-tls-it", "--config", config.toString(), "--nbd-tcp", "127.0.0.1:0");
        for (String line : host.banner()) {
            Matcher m = Pattern.compile("nbd:\\s+nbds://127\\.0\\.0\\.1:(\\d+)/mem0").matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        assertThat(port).as("nbds:// port in %s", host.banner()).isPositive();
        assertThat(host.banner()).as("no clear-text URI when TLS is required").noneMatch(l -> l.contains("nbd://127.0.0.1"));
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    static String nbds(String export, Path clientDir) {
        return "nbds://127.0.0.1:" + port + "/" + export + "?tls-certificates=" + clientDir;
    }

    static java.util.List<String> auditLines() throws Exception {
        return Files.readAllLines(host.dir().resolve("state/security/audit/audit.log"));
    }

    static String dmesg() throws Exception {
        return host.jdm("dmesg").out();
    }

    @Test
    void shouldDescribeTheExportOverTlsWithNbdinfo() throws Exception {
        NbdPeersIT.need("nbdinfo", "libnbd-bin");
        NbdPeersIT.Run r = NbdPeersIT.run("nbdinfo", nbds("mem0", diskop));
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("with TLS").contains("export-size: 67108864").contains("is_read_only: false");
        assertThat(dmesg()).contains("client CN=diskop as uid 4242 gid 4242 groups [6]");
    }

    @Test
    void shouldRefusePlainNbdWithTheTlsRequiredError() throws Exception {
        NbdPeersIT.need("nbdinfo", "libnbd-bin");
        NbdPeersIT.Run r = NbdPeersIT.run("nbdinfo", "nbd://127.0.0.1:" + port + "/mem0");
        assertThat(r.code()).as(r.out()).isNotZero();
        assertThat(r.out()).contains("without TLS");
        // what libnbd got, on the wire: NBD_REP_ERR_TLS_REQD (2^31 + 5) to an option in clear text
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            readFully(ch, ByteBuffer.allocate(18));
            ch.write(ByteBuffer.allocate(4).putInt(0, 3));
            ch.write(ByteBuffer.allocate(16).putLong(0x49484156454F5054L).putInt(3).putInt(0).flip()); // NBD_OPT_LIST
            ByteBuffer reply = readFully(ch, ByteBuffer.allocate(20));
            assertThat(reply.getInt(12)).isEqualTo(0x80000005);
        }
        assertThat(dmesg()).contains("refused in clear text: TLS is required");
    }

    @Test
    void shouldCopyBothWaysWithNbdcopyAndQemuImg() throws Exception {
        NbdPeersIT.need("nbdcopy", "libnbd-bin");
        NbdPeersIT.need("qemu-img", "qemu-utils");
        Path dir = host.dir();
        byte[] img = new byte[64 << 20];
        Random rnd = new Random(21);
        byte[] chunk = new byte[6 << 20];
        rnd.nextBytes(chunk);
        System.arraycopy(chunk, 0, img, 1 << 20, chunk.length);
        rnd.nextBytes(chunk);
        System.arraycopy(chunk, 0, img, 50 << 20, chunk.length);
        Path in = Files.write(dir.resolve("tls-in.raw"), img);
        String tlsCreds = "tls-creds-x509,id=tls0,dir=" + diskop + ",endpoint=client";
        String target = "driver=nbd,host=127.0.0.1,port=" + port + ",export=mem0,tls-creds=tls0";

        // in with nbdcopy, out with qemu-img
        NbdPeersIT.Run put = NbdPeersIT.run("nbdcopy", in.toString(), nbds("mem0", diskop));
        assertThat(put.code()).as(put.out()).isZero();
        Path viaQemu = dir.resolve("tls-out-qemu.raw");
        NbdPeersIT.Run get = NbdPeersIT.run("qemu-img", "convert", "-O", "raw", "--object", tlsCreds, "--image-opts", target,
                viaQemu.toString());
        assertThat(get.code()).as(get.out()).isZero();
        assertThat(NbdPeersIT.sha256(viaQemu)).isEqualTo(NbdPeersIT.sha256(in));

        // in with qemu-img (other data), out with nbdcopy
        rnd.nextBytes(chunk);
        System.arraycopy(chunk, 0, img, 20 << 20, chunk.length);
        Path in2 = Files.write(dir.resolve("tls-in2.raw"), img);
        NbdPeersIT.Run put2 = NbdPeersIT.run("qemu-img", "convert", "-n", "-f", "raw", "--object", tlsCreds, "--target-image-opts",
                in2.toString(), target);
        assertThat(put2.code()).as(put2.out()).isZero();
        Path viaNbdcopy = dir.resolve("tls-out-nbdcopy.raw");
        NbdPeersIT.Run get2 = NbdPeersIT.run("nbdcopy", nbds("mem0", diskop), viaNbdcopy.toString());
        assertThat(get2.code()).as(get2.out()).isZero();
        assertThat(NbdPeersIT.sha256(viaNbdcopy)).isEqualTo(NbdPeersIT.sha256(in2)).isNotEqualTo(NbdPeersIT.sha256(in));
    }

    @Test
    void shouldLetCapsRefuseACertificateMappedToAnUnprivilegedUid() throws Exception {
        NbdPeersIT.need("nbdinfo", "libnbd-bin");
        NbdPeersIT.Run r = NbdPeersIT.run("nbdinfo", nbds("mem0", backup));
        assertThat(r.code()).as(r.out()).isNotZero();
        assertThat(r.out()).as("refused after TLS, by policy").contains("with TLS");
        String log = dmesg();
        assertThat(log).contains("client CN=backup01 as uid 65534 gid 65534");
        // caps' dev_open verdict, as audit recorded it: the device is 0660 root:disk, and uid 65534 is neither
        String denied = auditLines().stream().filter(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("\"uid\":65534"))
                .findFirst().orElseThrow(() -> new AssertionError("no dev_open decision for uid 65534 in the audit log"));
        assertThat(denied).contains("{\"module\":\"caps\",\"mode\":\"enforcing\",\"vote\":\"deny\"").contains("\"verdict\":\"deny\"");
        NbdPeersIT.run("nbdinfo", nbds("mem0", diskop));
        assertThat(auditLines()).as("the disk group's member may open it for writing")
                .anyMatch(l -> l.contains("\"hook\":\"dev_open\"") && l.contains("\"uid\":4242") && l.contains("\"verdict\":\"allow\""));
    }

    @Test
    void shouldRefuseForeignAndExpiredCertificatesAndServeOthersMeanwhile() throws Exception {
        NbdPeersIT.need("nbdinfo", "libnbd-bin");
        TestCertificates other = TestCertificates.create(host.dir().resolve("other-ca"), "rsa");
        for (Path bad : new Path[] {ca.clientSignedBy(other, "diskop"), ca.expiredClient("diskop")}) {
            NbdPeersIT.Run r = NbdPeersIT.run("nbdinfo", nbds("mem0", bad));
            assertThat(r.code()).as("%s: %s", bad, r.out()).isNotZero();
        }
        String log = dmesg();
        assertThat(log).contains("TLS handshake failed").contains("unable to find valid certification path").contains("validity check failed");
        NbdPeersIT.Run ok = NbdPeersIT.run("nbdinfo", nbds("mem0", diskop));
        assertThat(ok.code()).as(ok.out()).isZero();
    }

    private static ByteBuffer readFully(SocketChannel ch, ByteBuffer b) throws Exception {
        while (b.hasRemaining()) {
            assertThat(ch.read(b)).as("server closed early").isNotNegative();
        }
        return b.flip();
    }
}
