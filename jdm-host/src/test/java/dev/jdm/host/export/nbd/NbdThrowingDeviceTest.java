package dev.jdm.host.export.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.host.export.ExportableDevice;
import dev.jdm.host.export.IoStatus;
import dev.jdm.host.export.MemoryExportableDevice;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * A device that throws instead of completing, or after completing: each request still gets exactly
 * one reply, and a buffer the device lent for a read goes back to it exactly once.
 */
class NbdThrowingDeviceTest extends NbdServerFixture {
    private static final int EIO = 5;
    private static final int LENGTH = 128 << 10; // at least BufferPool.LEND_FROM: read into a loan
    /** Reads here throw before completing. */
    private static final long THROWS_BEFORE = 0;
    /** Reads here complete, then throw. */
    private static final long THROWS_AFTER = LENGTH;

    private final CountedLoans loans = new CountedLoans();

    /** {@code inner}'s content, lending every large buffer, throwing on reads at the two offsets above. */
    private ExportableDevice flaky(MemoryExportableDevice inner) {
        return (ExportableDevice) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ExportableDevice.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "lend" -> {
                            return loans.lend((int) args[0]);
                        }
                        case "name" -> {
                            return "flaky";
                        }
                        case "read" -> {
                            long offset = (long) args[0];
                            if (offset == THROWS_BEFORE) {
                                throw new IllegalStateException("driver bug before completing");
                            }
                            inner.read(offset, (MemorySegment) args[1], (ExportableDevice.Completion) args[2]);
                            if (offset == THROWS_AFTER) {
                                throw new IllegalStateException("driver bug after completing");
                            }
                            return null;
                        }
                        default -> {
                            try {
                                return method.invoke(inner, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                });
    }

    @Test
    void shouldAnswerEachRequestOnceAndGiveLentBuffersBackWhenTheDeviceThrows() throws Exception {
        start();
        MemoryExportableDevice inner = new MemoryExportableDevice("inner", SIZE, false);
        exports.add("flaky", flaky(inner), false);
        byte[] data = new byte[LENGTH];
        java.util.Arrays.fill(data, (byte) 0x5a);
        inner.write(THROWS_AFTER, MemorySegment.ofArray(data), false, st -> assertThat(st).isEqualTo(IoStatus.OK));
        try (RawNbdClient c = client()) {
            c.open("flaky", false);
            c.request(RawNbdClient.CMD_READ, 0, 1, THROWS_BEFORE, LENGTH, null);
            c.request(RawNbdClient.CMD_READ, 0, 2, THROWS_AFTER, LENGTH, null);
            c.request(RawNbdClient.CMD_READ, 0, 3, 2L * LENGTH, 4096, null);
            RawNbdClient.Reply first = c.reply(0);
            assertThat(first.cookie()).isEqualTo(1);
            assertThat(first.error()).isEqualTo(EIO);
            RawNbdClient.Reply second = c.reply(0);
            assertThat(second.cookie()).isEqualTo(2);
            assertThat(second.error()).as("it completed before it threw: its answer stands").isZero();
            assertThat(second.payload()).hasSize(8 + LENGTH);
            assertThat(second.payload()[8]).isEqualTo((byte) 0x5a);
            assertThat(second.payload()[8 + LENGTH - 1]).isEqualTo((byte) 0x5a);
            RawNbdClient.Reply third = c.reply(0);
            assertThat(third.cookie()).as("no second reply for either request came before this one").isEqualTo(3);
            assertThat(third.error()).isZero();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (loans.back.get() < loans.lent.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(loans.lent.get()).as("both large reads borrowed").isEqualTo(2);
        assertThat(loans.back.get()).as("each loan came back once").isEqualTo(2);
        assertLogged("flaky threw on READ");
    }
}
