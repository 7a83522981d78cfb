package dev.jdm.hw.emu.virtio;

import static dev.jdm.hw.emu.virtio.VirtioPci.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.hw.emu.BarSpec;
import dev.jdm.hw.emu.PciConfigSpace;
import dev.jdm.hw.emu.RamBacking;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The function as config space shows it: IDs, BAR 0, the capability list, memory decode. */
class VirtioBlkPciTest {
    private final RamBacking disk = new RamBacking(1 << 20);
    private final VirtioBlkDevice dev = new VirtioBlkDevice(disk, "jdm-vblk0", false);
    private final TestDriver drv = new TestDriver(dev, new TestBoard());

    @AfterEach
    void close() {
        drv.close();
        disk.close();
    }

    @Test
    void shouldAnnounceTheRealFunctionsIdentity() {
        assertThat(dev.identity()).isEqualTo(VirtioBlkDevice.IDENTITY);
        assertThat(drv.cfg(0x00, 4)).isEqualTo(0x1042_1af4);
        assertThat(drv.cfg(0x08, 4)).isEqualTo(0x0180_0001); // class 01 80 00, revision 1
        assertThat(drv.cfg(0x2c, 4)).isEqualTo(0x1042_1af4); // as sysfs shows for 0000:00:02.0
        assertThat(drv.cfg(0x0e, 1)).isZero(); // type-0 header
        assertThat(drv.cfg(PciConfigSpace.INTERRUPT_PIN, 1)).isEqualTo(1);
        assertThat(drv.cfg(PciConfigSpace.STATUS, 2) & 0x10).isEqualTo(0x10);
    }

    @Test
    void shouldDecodeOne64BitBarOf512KiB() {
        assertThat(dev.bars()).containsExactly(new BarSpec(0, BarSpec.Kind.MEMORY64, 0x80000));
        drv.cfgWrite(0x10, 4, 0xffffffff);
        drv.cfgWrite(0x14, 4, 0xffffffff);
        assertThat(drv.cfg(0x10, 4)).isEqualTo(0xfff8_0004);
        assertThat(drv.cfg(0x14, 4)).isEqualTo(0xffffffff);
        assertThat(drv.cfg(0x18, 4)).isZero();
    }

    @Test
    void shouldListTheCapabilitiesWhereTheRealFunctionHasThem() {
        List<int[]> found = new ArrayList<>(); // {offset, id, cfg_type}
        for (int p = drv.cfg(0x34, 1); p != 0; p = drv.cfg(p + 1, 1)) {
            found.add(new int[] {p, drv.cfg(p, 1), drv.cfg(p, 1) == CAP_ID_VENDOR ? drv.cfg(p + 3, 1) : -1});
        }
        assertThat(found).extracting(f -> f[0]).containsExactly(0x40, 0x50, 0x60, 0x70, 0x84, 0x98);
        assertThat(found).extracting(f -> f[1]).containsExactly(0x09, 0x09, 0x09, 0x09, 0x09, 0x11);
        assertThat(found).extracting(f -> f[2]).containsExactly(CAP_COMMON_CFG, CAP_ISR_CFG, CAP_DEVICE_CFG, CAP_NOTIFY_CFG, CAP_PCI_CFG, -1);

        assertStructure(0x40, 16, 0x0000, 0x38);
        assertStructure(0x50, 16, 0x2000, 1);
        assertStructure(0x60, 16, 0x4000, 0x1000);
        assertStructure(0x70, 20, 0x6000, 0x1000);
        assertThat(drv.cfg(0x70 + 16, 4)).isEqualTo(4); // notify_off_multiplier
        assertThat(drv.cfg(0x84 + 2, 1)).isEqualTo(20);
    }

    @Test
    void shouldMatchTheRealFunctionsCapabilityBytes() {
        // xxd /sys/bus/pci/devices/0000:00:02.0/config, 0x40-0xa3, with MSI-X enabled there
        drv.msix(true);
        int[] real = {
            0x09, 0x50, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x38, 0, 0, 0,
            0x09, 0x60, 0x10, 0x03, 0, 0, 0, 0, 0, 0x20, 0, 0, 0x01, 0, 0, 0,
            0x09, 0x70, 0x10, 0x04, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x10, 0, 0,
            0x09, 0x84, 0x14, 0x02, 0, 0, 0, 0, 0, 0x60, 0, 0, 0, 0x10, 0, 0,
            0x04, 0, 0, 0, 0x09, 0x98, 0x14, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0x01, 0x80, 0, 0x80, 0, 0,
            0, 0x80, 0x04, 0};
        for (int i = 0; i < real.length; i++) {
            assertThat(drv.cfg(0x40 + i, 1)).as("config byte 0x%x", 0x40 + i).isEqualTo(real[i]);
        }
    }

    @Test
    void shouldAnnounceTwoMsixVectorsInBar0() {
        int p = drv.msixCap;
        assertThat(p).isEqualTo(0x98);
        assertThat(drv.cfg(p + 2, 2) & 0x7ff).isEqualTo(1); // table size N-1
        assertThat(drv.cfg(p + 4, 4)).isEqualTo(0x8000); // BIR 0
        assertThat(drv.cfg(p + 8, 4)).isEqualTo(0x48000);
        drv.cfgWrite(p + 2, 2, 0xffff);
        assertThat(drv.cfg(p + 2, 2)).isEqualTo(0xc001); // only enable and function mask are writable
        drv.cfgWrite(p + 4, 4, 0);
        assertThat(drv.cfg(p + 4, 4)).isEqualTo(0x8000);
    }

    @Test
    void shouldKeepTheVirtioCapabilitiesReadOnly() {
        drv.cfgWrite(0x40 + 8, 4, 0x1234);
        drv.cfgWrite(0x70 + 16, 4, 0);
        assertThat(drv.cfg(0x40 + 8, 4)).isZero();
        assertThat(drv.cfg(0x70 + 16, 4)).isEqualTo(4);
    }

    @Test
    void shouldReachBar0ThroughThePciConfigurationAccessWindow() {
        int p = 0x84;
        drv.cfgWrite(p + 4, 1, 0); // bar
        drv.cfgWrite(p + 12, 4, 2); // length
        drv.cfgWrite(p + 8, 4, NUM_QUEUES); // offset
        assertThat(drv.cfg(p + 16, 4) & 0xffff).isEqualTo(1);

        drv.cfgWrite(p + 12, 4, 1);
        drv.cfgWrite(p + 8, 4, DEVICE_STATUS);
        drv.cfgWrite(p + 16, 1, STATUS_ACKNOWLEDGE);
        assertThat(drv.cfg(p + 16, 1)).isEqualTo(STATUS_ACKNOWLEDGE);
        drv.enable();
        assertThat(drv.status()).isEqualTo(STATUS_ACKNOWLEDGE);

        drv.cfgWrite(p + 12, 4, 3); // not 1, 2 or 4: nothing happens
        drv.cfgWrite(p + 16, 4, 0);
        assertThat(drv.status()).isEqualTo(STATUS_ACKNOWLEDGE);
    }

    @Test
    void shouldAnswerAllOnesWithoutMemoryDecode() {
        assertThat(drv.reg(NUM_QUEUES, 2)).isEqualTo(0xffff);
        drv.reg(DEVICE_STATUS, 1, STATUS_ACKNOWLEDGE);
        drv.enable();
        assertThat(drv.reg(NUM_QUEUES, 2)).isEqualTo(1);
        assertThat(drv.status()).isZero();
    }

    @Test
    void shouldNeverThrowForABadAccess() {
        drv.enable();
        assertThat(dev.barRead(1, 0, 4)).isEqualTo(0xffffffffL);
        assertThat(dev.barRead(0, 0x80000, 4)).isEqualTo(0xffffffffL);
        assertThat(dev.barRead(0, 0, 3)).isEqualTo(0xffffffL);
        dev.barWrite(0, -4, 4, 0);
        dev.barWrite(0, 0x7ffff, 8, 0);
        assertThat(dev.configRead(0x41, 4)).isEqualTo(0xffffffff);
        dev.configWrite(4096, 1, 0);
        assertThat(drv.reg(0x1000, 4)).isZero(); // inside BAR 0 but no structure there
    }

    private void assertStructure(int cap, int capLen, int offset, int length) {
        assertThat(drv.cfg(cap + 2, 1)).as("cap_len at 0x%x", cap).isEqualTo(capLen);
        assertThat(drv.cfg(cap + 4, 1)).as("bar at 0x%x", cap).isZero();
        assertThat(drv.cfg(cap + 8, 4)).as("offset at 0x%x", cap).isEqualTo(offset);
        assertThat(drv.cfg(cap + 12, 4)).as("length at 0x%x", cap).isEqualTo(length);
    }
}
