package dev.jdm.isolation.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.Frame;
import dev.jdm.isolation.process.DomainLauncher;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.process.TestDomains;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.ring.RequestDescriptor;
import dev.jdm.isolation.ring.RingClient;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hundreds of thousands of requests between this JVM and a confined domain JVM through the ring:
 * random writes and read-backs of whole blocks, 32 in flight, the data only ever in the shared
 * buffers; every read is checked against the CRC32C of what was last written to that block.
 */
class RingAcrossProcessesTest {
    private static final int DEPTH = 32;
    private static final int BLOCKS = 64;

    @ParameterizedTest(name = "{0}-byte buffers, {1} requests, {2}, spin {3} ns")
    @CsvSource({"512, 200000, EVENTFD, 20000", "4096, 200000, SOCKET, 0", "65536, 20000, EVENTFD, 0"})
    void shouldCarryDataIntactBetweenTwoJvms(int bufferSize, int requests, FdDoorbell.Kind kind, long spin) throws Exception {
        long diskSize = (long) BLOCKS * bufferSize;
        try (DomainProcess d = DomainLauncher.start(TestDomains.spec("ram", RamDomain.class, TestDomains.plan(),
                        Long.toString(diskSize), Long.toString(spin)));
                RingTransport.HostEnd end = RingTransport.offer(d.channel(), new RegionLayout(64, DEPTH, bufferSize), kind, spin, 30_000)) {
            RingClient client = end.client();
            long[] crc = new long[BLOCKS];
            boolean[] written = new boolean[BLOCKS];
            boolean[] busy = new boolean[BLOCKS];
            int[] blockOfBuffer = new int[DEPTH];
            int[] opOfBuffer = new int[DEPTH];
            SplittableRandom random = new SplittableRandom(bufferSize);
            int submitted = 0;
            int completed = 0;
            int verified = 0;
            while (completed < requests) {
                while (submitted < requests && client.buffers().available() > 0) {
                    int block = random.nextInt(BLOCKS);
                    if (busy[block]) {
                        break; // take a completion first; the block frees up
                    }
                    int buf = client.buffers().allocate();
                    MemorySegment data = client.buffers().buffer(buf);
                    int op = written[block] && random.nextBoolean() ? RamDomain.READ : RamDomain.WRITE;
                    if (op == RamDomain.WRITE) {
                        fill(data, random);
                        crc[block] = crc(data);
                    } else {
                        data.fill((byte) 0);
                    }
                    busy[block] = true;
                    blockOfBuffer[buf] = block;
                    opOfBuffer[buf] = op;
                    assertThat(client.submit(op, 0, (long) block * bufferSize, bufferSize, buf)).isPositive();
                    submitted++;
                }
                RequestDescriptor c = client.take();
                completed++;
                assertThat(c.status()).as("status of request %d", c.id()).isEqualTo(bufferSize);
                int buf = c.bufferIndex();
                int block = blockOfBuffer[buf];
                if (opOfBuffer[buf] == RamDomain.READ) {
                    assertThat(crc(client.buffers().buffer(buf))).as("CRC32C of block %d read back", block).isEqualTo(crc[block]);
                    verified++;
                } else {
                    written[block] = true;
                }
                busy[block] = false;
                client.buffers().release(buf);
            }
            assertThat(client.submit(RamDomain.STOP, 0, 0, 0, RequestDescriptor.NO_BUFFER)).isPositive();
            assertThat(client.take().op()).isEqualTo(RamDomain.STOP);
            Frame stats = d.channel().expect(RamDomain.STATS);
            ByteBuffer b = ByteBuffer.wrap(stats.payload());
            long served = b.getLong();
            long domainDoorbells = b.getLong();
            assertThat(served).isEqualTo(requests + 1L);
            assertThat(verified).isGreaterThan(requests / 4);
            // Notifications only on empty-to-non-empty while the peer sleeps: fewer than one per request.
            assertThat(client.doorbellsRung()).isLessThan(requests);
            assertThat(domainDoorbells).isLessThan(requests);
            System.out.printf("ring %d B x %d via %s spin %d ns: %d verified reads, doorbells host->domain %d, domain->host %d%n",
                    bufferSize, requests, kind, spin, verified, client.doorbellsRung(), domainDoorbells);
            assertThat(d.waitFor(10_000).code()).isZero();
        }
    }

    private static void fill(MemorySegment data, SplittableRandom random) {
        for (long i = 0; i < data.byteSize(); i += 8) {
            data.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
        }
    }

    private static long crc(MemorySegment data) {
        CRC32C c = new CRC32C();
        c.update(data.asByteBuffer());
        return c.getValue();
    }
}
