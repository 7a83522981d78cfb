package dev.jdm.host.chr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeRulesTest {
    @Test
    void shouldRefuseBadNamesByName() {
        assertThat(NodeRules.name("kbd0")).isEqualTo("kbd0");
        assertThatThrownBy(() -> NodeRules.name("0kbd")).hasMessageContaining("\"0kbd\"").hasMessageContaining("starting with a letter");
        assertThatThrownBy(() -> NodeRules.name("a".repeat(33))).hasMessageContaining("1-32");
        assertThatThrownBy(() -> NodeRules.name(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldKeepNumbersInLinuxRange() {
        NodeRules.number("zero", 1, 5);
        NodeRules.number("top", 4095, 0xfffff);
        assertThatThrownBy(() -> NodeRules.number("x", 4096, 0)).hasMessage("x: device number 4096:0 (major 0..4095, minor 0..1048575)");
        assertThatThrownBy(() -> NodeRules.number("x", 1, 0x100000)).hasMessageContaining("1:1048576");
        assertThatThrownBy(() -> NodeRules.number("x", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseModesBeyondPermissionBitsAndNegativeIds() {
        assertThat(NodeRules.mode("x", 0666)).isEqualTo(0666);
        assertThatThrownBy(() -> NodeRules.mode("x", 04755)).hasMessage("x: mode 04755 has bits beyond 0777");
        assertThatThrownBy(() -> NodeRules.mode("x", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NodeRules.id("x", 0, "owner")).isZero();
        assertThatThrownBy(() -> NodeRules.id("x", -2, "group")).hasMessage("x: group -2 is not a uid/gid");
    }
}
