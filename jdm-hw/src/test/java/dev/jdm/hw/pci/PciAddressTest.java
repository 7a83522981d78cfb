package dev.jdm.hw.pci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PciAddressTest {
    @Test
    void shouldParseSysfsNamesAndLspciSlots() {
        assertThat(PciAddress.parse("0000:00:1f.2")).isEqualTo(new PciAddress(0, 0, 0x1f, 2));
        assertThat(PciAddress.parse("00:1f.2")).isEqualTo(new PciAddress(0, 0, 0x1f, 2));
        assertThat(PciAddress.parse("10000:e3:00.7")).isEqualTo(new PciAddress(0x10000, 0xe3, 0, 7));
        assertThat(PciAddress.parse("0000:0A:1F.0").bus()).isEqualTo(10);
    }

    @Test
    void shouldFormatAsLspciDoesWithTheDomainOnlyWhenAsked() {
        PciAddress a = new PciAddress(0, 0, 0x1f, 2);
        assertThat(a.format(false)).isEqualTo("00:1f.2");
        assertThat(a.format(true)).isEqualTo("0000:00:1f.2");
        assertThat(a.sysfsName()).isEqualTo("0000:00:1f.2");
        assertThat(a).hasToString("00:1f.2");
        assertThat(new PciAddress(1, 2, 3, 4)).hasToString("0001:02:03.4");
    }

    @Test
    void shouldRefuseWhatIsNotAnAddressNamingIt() {
        assertThatThrownBy(() -> PciAddress.parse("00:20.0")).hasMessageContaining("'00:20.0'").hasMessageContaining("above 1f");
        assertThatThrownBy(() -> PciAddress.parse("00:1f.8")).hasMessageContaining("'00:1f.8'");
        assertThatThrownBy(() -> PciAddress.parse("virtio0")).hasMessageContaining("'virtio0'").hasMessageContaining("0000:00:1f.2");
        assertThatThrownBy(() -> new PciAddress(0, 256, 0, 0)).hasMessageContaining("bus 256");
    }

    @Test
    void shouldSortByDomainBusDeviceFunction() {
        List<PciAddress> list = new ArrayList<>(List.of(PciAddress.parse("0001:00:00.0"), PciAddress.parse("0000:01:00.0"),
                PciAddress.parse("0000:00:02.1"), PciAddress.parse("0000:00:02.0"), PciAddress.parse("ffff0000:00:00.0")));
        list.sort(null);
        assertThat(list).extracting(PciAddress::sysfsName)
                .containsExactly("0000:00:02.0", "0000:00:02.1", "0000:01:00.0", "0001:00:00.0", "ffff0000:00:00.0");
    }
}
