package dev.jdm.sweep.lu;

import dev.jdm.host.config.NbdOptions;
import dev.jdm.gate.GateClient;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.Host;
import dev.jdm.host.block.LuHandle;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.BlkIoCall;
import dev.jdm.gate.proto.BlkOpenCall;
import dev.jdm.host.module.ModuleIndex;
import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDeviceContract;
import dev.jdm.sweep.SweepException;
import dev.jdm.symvers.JarContents;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate sweep device (an LU of a host reached over the call gate's sweep calls) against the
 * {@link SweepDeviceContract}, plus the gate's own promises: handles belong to the connection and
 * close with it, a read-only handle refuses writes, other holders make an LU in use.
 */
class GateSweepDeviceIT extends SweepDeviceContract {
    static final Path MODULES = StandaloneSweepDeviceIT.MODULES;

    @TempDir
    Path dir;
    Host host;
    final List<GateSweepDevices> providers = new ArrayList<>();
    int disks;

    @BeforeEach
    void start() throws Exception {
        Path config = dir.resolve("host.toml");
        Files.writeString(config, """
                modules = []
                [nbd]
                socket = "off"
                tcp = "off"
                export = []
                """);
        host = Host.start(new Host.Options(config, dir.resolve("gate.sock"), dir.resolve("state"), MODULES, null,
                new NbdOptions(null, "off", List.of())));
        assertThat(host.startupErrors()).isEmpty();
    }

    @AfterEach
    void stop() {
        providers.forEach(GateSweepDevices::close);
        host.close();
    }

    /** A filedisk LU over a new file, loaded in the host as its own module instance. */
    String disk(long size, int blockSize) throws Exception {
        int n = disks++;
        Path f = dir.resolve("disk" + n + ".img");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size);
        }
        ModuleIndex index = host.modules().index();
        ModuleIndex.Entry e = index.find("filedisk").orElseThrow();
        JarContents jar = index.read(e);
        host.modules().loadAs("filedisk_" + n, jar, e.path().toString(), Map.of("backing", f.toString(), "name", "gd" + n,
                "block_size", Integer.toString(blockSize)), false);
        return "gd" + n;
    }

    GateSweepDevices provider() {
        GateSweepDevices p = new GateSweepDevices(GateClient.connect(host.socket()));
        providers.add(p);
        return p;
    }

    @Override
    protected SweepDevice create(long size, int blockSize) {
        try {
            String lu = disk(size, blockSize);
            host.block().setBootGuard(lu, 0, "test"); // the contract writes from byte 0
            return provider().open(lu, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldCloseAConnectionsHandlesWhenItEnds() throws Exception {
        String lu = disk(1 << 20, 512);
        GateSweepDevices p = provider();
        p.open(lu, true);
        p.open(lu, false);
        assertThat(host.block().find(lu).orElseThrow().holders()).containsEntry("sweep", 2);
        assertThat(host.luHandles().openCount()).isEqualTo(2);
        p.close(); // the process dies, or forgets: the host must not keep the LU (and its module) pinned
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (host.luHandles().openCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(host.luHandles().openCount()).isZero();
        assertThat(host.block().find(lu).orElseThrow().holders()).isEmpty();
        assertThat(host.modules().unload("filedisk_0", false, false).name()).isEqualTo("UNLOADED");
    }

    @Test
    void shouldRefuseWritesOnAReadOnlyHandleAndOtherConnectionsHandles() throws Exception {
        String lu = disk(1 << 20, 512);
        try (GateClient a = GateClient.connect(host.socket()); GateClient b = GateClient.connect(host.socket())) {
            Response open = a.exchange(Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName(lu)));
            long h = open.getBlkOpen().getHandle();
            assertThat(open.getBlkOpen().getLu().getHoldersList()).containsExactly("sweep");
            Response w = a.exchange(Request.newBuilder().setBlkIo(BlkIoCall.newBuilder().setHandle(h).setOp(BlkIoCall.Op.WRITE)
                    .setOffset(0x20000).setLength(512).setData(com.google.protobuf.ByteString.copyFrom(new byte[512]))));
            assertThat(w.getBlkIo().getStatus()).isEqualTo("EBADF");
            Response other = b.exchange(Request.newBuilder().setBlkIo(BlkIoCall.newBuilder().setHandle(h).setOp(BlkIoCall.Op.READ)
                    .setOffset(0).setLength(512)));
            assertThat(other.getError().getCode()).as("a handle is its connection's alone").isEqualTo("ENOENT");
            Response big = a.exchange(Request.newBuilder().setBlkIo(BlkIoCall.newBuilder().setHandle(h).setOp(BlkIoCall.Op.READ)
                    .setOffset(0).setLength(64L << 20)));
            assertThat(big.getError().getCode()).isEqualTo("EINVAL");
            Response missing = a.exchange(Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName("nope0")));
            assertThat(missing.getError().getCode()).isEqualTo("ENOENT");
        }
    }

    @Test
    void shouldReportAnLuHeldByAnotherHolderAsInUseButNotItsOwnHandles() throws Exception {
        String lu = disk(1 << 20, 512);
        GateSweepDevices p = provider();
        SweepDevice d = p.open(lu, true);
        assertThat(d.inUseReason()).isEmpty();
        assertThat(p.list()).singleElement().satisfies(i -> assertThat(i.inUseReason()).isEmpty());
        GateSweepDevices other = provider();
        SweepDevice d2 = other.open(lu, false);
        assertThat(d.inUseReason()).contains("open by another sweep");
        d2.close();
        try (LuHandle nbd = host.block().open(lu, "nbd")) {
            assertThat(d.inUseReason()).contains("exported over nbd");
        }
        assertThat(d.inUseReason()).isEmpty();
    }

    @Test
    void shouldCarryDeviceErrorsAsTheirErrno() throws Exception {
        SweepDevice d = provider().open(disk(1 << 20, 512), true);
        try (Arena a = Arena.ofConfined()) {
            // below the boot guard of a whole device: the block layer refuses, the errno travels back
            SweepException e = org.assertj.core.api.Assertions.catchThrowableOfType(SweepException.class,
                    () -> d.write(0, a.allocate(512), false));
            assertThat(e.errno()).isEqualTo("EPERM");
            assertThat(e.getMessage()).contains(d.name()).contains("write at 0+512");
        }
    }
}
