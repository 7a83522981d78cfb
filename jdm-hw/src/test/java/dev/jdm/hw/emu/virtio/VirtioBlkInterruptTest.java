package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.RamBacking;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Used buffer and configuration notifications: MSI-X with its masks and PBA, and INTx through ISR. */
class VirtioBlkInterruptTest {
    private final RamBacking disk = new RamBacking(1 << 20);
    private final VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private final TestBoard board = new TestBoard();
    private final TestDriver drv = new TestDriver(dev, board);

    @AfterEach
    void close() {
        drv.close();
        disk.close();
    }

    @Test
    void shouldSendTheQueuesVector() {
        up(true);
        flush();
        assertThat(board.messages()).containsExactly(1);
        assertThat(board.intxChanges()).isEmpty();
        assertThat(drv.pba()).isZero();
    }

    @Test
    void shouldHoldAMaskedVectorPendingUntilItIsUnmasked() {
        up(true);
        drv.mask(1);
        flush();
        assertThat(board.messages()).isEmpty();
        assertThat(drv.pba()).isEqualTo(0b10);
        assertThat(drv.reg(MSIX_TABLE + 16 + 12, 4)).isEqualTo(1);
        drv.unmask(1);
        assertThat(board.messages()).containsExactly(1);
        assertThat(drv.pba()).isZero();
    }

    @Test
    void shouldHoldAllVectorsPendingUnderTheFunctionMask() {
        up(true);
        drv.functionMask(true);
        flush();
        flush();
        assertThat(board.messages()).isEmpty();
        assertThat(drv.pba()).isEqualTo(0b10);
        drv.functionMask(false);
        assertThat(board.messages()).containsExactly(1); // one pending bit, one message
        assertThat(drv.pba()).isZero();
    }

    @Test
    void shouldKeepTheTablesEntriesAsWritten() {
        drv.enable();
        assertThat(drv.reg(MSIX_TABLE + 12, 4)).isEqualTo(1); // masked out of reset
        drv.reg(MSIX_TABLE, 4, 0xfee0_0003L);
        drv.reg(MSIX_TABLE + 4, 4, 0);
        drv.reg(MSIX_TABLE + 8, 4, 0x4041);
        drv.reg(MSIX_TABLE + 16, 8, 0x0000_0001_fee0_1000L);
        assertThat(drv.reg(MSIX_TABLE, 4)).isEqualTo(0xfee0_0000L); // the low two address bits read 0
        assertThat(drv.reg(MSIX_TABLE + 8, 4)).isEqualTo(0x4041);
        assertThat(drv.reg(MSIX_TABLE + 16, 8)).isEqualTo(0x0000_0001_fee0_1000L);
        drv.reg(MSIX_TABLE + 12, 4, 0xffff_ffffL);
        assertThat(drv.reg(MSIX_TABLE + 12, 4)).isEqualTo(1); // only the mask bit exists
        drv.reg(MSIX_PBA, 8, -1L);
        assertThat(drv.pba()).isZero();
        assertThat(drv.reg(MSIX_TABLE + 32, 4)).isZero(); // beyond the two entries
    }

    @Test
    void shouldSendNothingForNoVector() {
        up(true);
        drv.common(QUEUE_SELECT, 2, 0);
        drv.common(QUEUE_MSIX_VECTOR, 2, NO_VECTOR);
        flush();
        assertThat(board.messages()).isEmpty();
        assertThat(board.intxChanges()).isEmpty();
        assertThat(drv.isr()).isZero(); // with MSI-X on, ISR's queue bit stays clear
    }

    @Test
    void shouldHonourTheDriversNoInterruptFlag() {
        up(true);
        drv.availFlags(1);
        flush();
        assertThat(board.messages()).isEmpty();
        drv.availFlags(0);
        flush();
        assertThat(board.messages()).containsExactly(1);
    }

    @Test
    void shouldRaiseIntxUntilIsrIsRead() {
        up(false);
        flush();
        assertThat(board.intxChanges()).containsExactly(true);
        assertThat(drv.cfg(PciConfigSpace.STATUS, 2) & 0x08).isEqualTo(0x08);
        assertThat(drv.isr()).isEqualTo(ISR_QUEUE);
        assertThat(board.intxChanges()).containsExactly(true, false);
        assertThat(drv.cfg(PciConfigSpace.STATUS, 2) & 0x08).isZero();
        assertThat(drv.isr()).isZero();
        assertThat(board.messages()).isEmpty();
    }

    @Test
    void shouldKeepIntxLowWhileDisabledInTheCommandRegister() {
        up(false);
        drv.command(PciConfigSpace.COMMAND_INTX_DISABLE, 0);
        flush();
        assertThat(board.intxChanges()).isEmpty();
        assertThat(drv.cfg(PciConfigSpace.STATUS, 2) & 0x08).isEqualTo(0x08); // the status bit still says why
        drv.command(0, PciConfigSpace.COMMAND_INTX_DISABLE);
        assertThat(board.intxChanges()).containsExactly(true);
        assertThat(drv.isr()).isEqualTo(ISR_QUEUE);
        assertThat(board.intxChanges()).containsExactly(true, false);
    }

    @Test
    void shouldMoveFromIntxToMsixWhenTheDriverEnablesIt() {
        up(false);
        flush();
        assertThat(board.intxAsserted()).isTrue();
        drv.msix(true);
        assertThat(board.intxAsserted()).isFalse();
        drv.unmask(1);
        drv.common(QUEUE_MSIX_VECTOR, 2, 1);
        flush();
        assertThat(board.messages()).containsExactly(1);
    }

    @Test
    void shouldSendTheConfigVectorWhenTheDeviceNeedsReset() {
        up(true);
        drv.add(new TestDriver.Part(0xdead_0000L, 16, false), new TestDriver.Part(0xdead_1000L, 1, true));
        drv.kick();
        TestDriver.await(() -> (drv.status() & STATUS_NEEDS_RESET) != 0, () -> "NEEDS_RESET");
        TestDriver.await(() -> !board.messages().isEmpty(), () -> "config vector");
        assertThat(board.messages()).containsExactly(0);
        assertThat(drv.isr()).isEqualTo(ISR_CONFIG);
    }

    @Test
    void shouldSetIsrsConfigBitForNeedsResetOverIntx() {
        up(false);
        drv.add(new TestDriver.Part(0xdead_0000L, 16, false), new TestDriver.Part(0xdead_1000L, 1, true));
        drv.kick();
        TestDriver.await(board::intxAsserted, () -> "INTx for NEEDS_RESET");
        assertThat(drv.status() & STATUS_NEEDS_RESET).isNotZero();
        assertThat(drv.isr()).isEqualTo(ISR_CONFIG);
        assertThat(board.intxAsserted()).isFalse();
    }

    /** Brings the device up with MSI-X (config vector 0, queue vector 1, both unmasked) or with INTx. */
    private void up(boolean msix) {
        drv.enable();
        if (msix) {
            drv.msix(true);
            drv.unmask(0);
            drv.unmask(1);
        }
        drv.negotiate(drv.deviceFeatures());
        drv.common(CONFIG_MSIX_VECTOR, 2, msix ? 0 : NO_VECTOR);
        drv.setupQueue(16, msix ? 1 : NO_VECTOR);
        drv.driverOk();
    }

    private void flush() {
        assertThat(drv.request(VirtioBlk.T_FLUSH, 0)).isZero();
    }
}
