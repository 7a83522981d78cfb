package dev.jdm.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GateVersionTest {
    @Test
    void shouldSpeakTheHighestVersionBothSidesKnow() {
        assertThat(GateVersion.negotiate(1, 0)).as("a version 1 client sends no maximum").hasValue(1);
        assertThat(GateVersion.negotiate(0, 0)).as("a request without a version is a version 1 client's").hasValue(1);
        assertThat(GateVersion.negotiate(1, 2)).hasValue(2);
        assertThat(GateVersion.negotiate(1, 9)).as("a newer client meets this host at its newest").hasValue(GateVersion.MAX);
        assertThat(GateVersion.negotiate(2, 2)).hasValue(2);
        assertThat(GateVersion.negotiate(2, 3)).hasValue(3);
        assertThat(GateVersion.negotiate(3, 3)).as("version 3 added the char device and the domain calls").hasValue(3);
        assertThat(GateVersion.negotiate(3, 5)).as("version 4 added the emulated board's calls").hasValue(4);
        assertThat(GateVersion.negotiate(5, 6)).as("a client that needs more than this host has").isEmpty();
        assertThat(GateVersion.noCommonVersion(5, 6)).isEqualTo("the client speaks gate versions 5..6; this host speaks 1..4");
        assertThat(GateVersion.noCommonVersion(7, 0)).isEqualTo("the client speaks gate version 7; this host speaks 1..4");
    }
}
