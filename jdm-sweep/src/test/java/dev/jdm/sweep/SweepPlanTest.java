package dev.jdm.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SweepPlanTest {
    static final SweepOptions OPTS = new SweepOptions(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1, false, 1 << 16);

    static SweepOptions bootArea() {
        return new SweepOptions(SweepOptions.Method.ZEROS, SweepOptions.Verify.LAST, 1, true, 1 << 16);
    }

    static MemorySweepDevice dev(MemorySweepDevice.Spec s) {
        return new MemorySweepDevice(s);
    }

    static String errno(Runnable r) {
        try {
            r.run();
        } catch (SweepException e) {
            return e.errno() + ": " + e.getMessage();
        }
        return "no error";
    }

    @Test
    void shouldSkipTheBootAreaOfWholeDevicesOnly() {
        SweepPlan p = SweepPlan.of(List.of(dev(MemorySweepDevice.Spec.whole("ram0", 1 << 20)),
                dev(MemorySweepDevice.Spec.partition("ram0p1", 1 << 20))), OPTS, true);
        assertThat(p.targets().get(0).start()).isEqualTo(0x10000);
        assertThat(p.targets().get(0).end()).isEqualTo(1 << 20);
        assertThat(p.targets().get(1).start()).isZero();
        assertThat(p.targets().get(1).index()).isEqualTo(1);
    }

    @Test
    void shouldKeepTheDefaultBootAreaEvenWhereTheDriverLoweredItsGuard() {
        var lowered = dev(MemorySweepDevice.Spec.whole("ram0", 1 << 20).withGuard(0));
        assertThat(SweepPlan.of(List.of(lowered), OPTS, true).targets().getFirst().start()).isEqualTo(0x10000);
        assertThat(SweepPlan.of(List.of(lowered), bootArea(), true).targets().getFirst().start()).isZero();
        var partly = dev(MemorySweepDevice.Spec.whole("ram1", 1 << 20).withGuard(0x1000).withBlockSize(4096));
        assertThat(SweepPlan.of(List.of(partly), bootArea(), true).targets().getFirst().start()).isEqualTo(0x1000);
    }

    @Test
    void shouldRefuseTheBootAreaWhereTheDeviceGuardsIt() {
        var guarded = dev(MemorySweepDevice.Spec.whole("ram0", 1 << 20));
        assertThat(errno(() -> SweepPlan.of(List.of(guarded), bootArea(), true)))
                .startsWith("EPERM: ram0: the device guards its first 0x10000 bytes");
    }

    @Test
    void shouldWarnOfWhatIsLostNamingTheBootAreaWhereItIsWritten() {
        var part = dev(MemorySweepDevice.Spec.partition("ram0p1", 1 << 20));
        assertThat(SweepPlan.of(List.of(part), OPTS, true).lossWarning()).as("partitions need no confirmation").isNull();
        var kept = dev(MemorySweepDevice.Spec.whole("ram0", 1 << 20).withGuard(0));
        assertThat(SweepPlan.of(List.of(kept, part), OPTS, true).lossWarning())
                .isEqualTo("Everything on ram0 outside the boot area will be lost.");
        var guarded = dev(MemorySweepDevice.Spec.whole("ram1", 1 << 20).withGuard(0x1000));
        assertThat(SweepPlan.of(List.of(kept, guarded), bootArea(), true).lossWarning())
                .isEqualTo("Everything on ram1 outside the boot area will be lost."
                        + " Everything on ram0 will be lost, the boot area (partition table, boot loader) included.");
    }

    @Test
    void shouldRefuseASizeThatIsNotAMultipleOfTheBlockSize() {
        var odd = dev(MemorySweepDevice.Spec.partition("odd", (1 << 20) + 100));
        assertThat(errno(() -> SweepPlan.of(List.of(odd), OPTS, false))).startsWith("EINVAL: odd: size 1048676 is not a multiple of its 512-byte block");
    }

    @Test
    void shouldRefuseADeviceInUseEvenForAReadOnlyPlan() {
        var busy = dev(MemorySweepDevice.Spec.whole("ram0", 1 << 20).withInUse("exported nbd"));
        assertThat(errno(() -> SweepPlan.of(List.of(busy), OPTS, false))).isEqualTo("EBUSY: ram0: in use (exported nbd); stop using it first");
    }

    @Test
    void shouldRefuseReadOnlyDevicesForWritingAndDevicesWithNothingOutsideTheBootArea() {
        var ro = dev(MemorySweepDevice.Spec.partition("ro", 1 << 20).withReadOnly(true));
        assertThat(errno(() -> SweepPlan.of(List.of(ro), OPTS, true))).startsWith("EROFS");
        assertThat(errno(() -> SweepPlan.of(List.of(ro), OPTS, false))).isEqualTo("no error");
        var tiny = dev(MemorySweepDevice.Spec.whole("tiny", 0x8000));
        assertThat(errno(() -> SweepPlan.of(List.of(tiny), OPTS, true))).startsWith("EINVAL: tiny: 32 KiB holds nothing outside its boot area");
    }

    @Test
    void shouldNameUnknownDevicesAndBadMemorySpecs() {
        MemorySweepDevices devs = new MemorySweepDevices().add("ram0:1M");
        assertThat(errno(() -> devs.open("ram9", false))).isEqualTo("ENOENT: ram9: no such device (see jdm sweep --list)");
        assertThat(errno(() -> devs.add("ram1:lots"))).startsWith("EINVAL: \"lots\" is not a byte count");
        assertThat(errno(() -> devs.add("ram1:1M,sparkly"))).isEqualTo("EINVAL: memory device ram1: unknown option \"sparkly\"");
        assertThat(errno(() -> new SweepOptions(SweepOptions.Method.ZEROS, SweepOptions.Verify.OFF, 0, false, 4096))).startsWith("EINVAL: --passes");
    }
}
