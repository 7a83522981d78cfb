package dev.jdm.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jdm.host.log.LogRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Services start in order and stop in reverse; a host that fails to come up leaves nothing behind. */
class HostLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameItsServicesInStartOrderAndStopThemAllOnClose() throws IOException {
        Host host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"), null, null));
        assertThat(host.services()).containsExactly("domains", "modules", "hw", "security", "lu-handles", "char-files", "gate", "nbd", "coldplug", "start-up modules",
                "lu exports");
        assertThat(Files.exists(dir.resolve("gate.sock"))).isTrue();
        host.close();
        assertThat(Files.exists(dir.resolve("gate.sock"))).as("the gate stopped and removed its socket").isFalse();
        host.close(); // a second close is harmless
    }

    @Test
    void shouldStartInOrderStopInReverseAndStopAHalfStartedServiceToo() {
        List<String> events = new ArrayList<>();
        Lifecycle life = new Lifecycle(new LogRing(16, null, () -> 0));
        for (String name : List.of("a", "b", "c")) {
            life.add(HostService.of(name, () -> {
                events.add("start " + name);
                if (name.equals("c")) {
                    throw new IOException("c cannot start");
                }
            }, () -> events.add("stop " + name)));
        }
        assertThat(catchThrowable(life::start)).hasMessage("c cannot start");
        assertThat(events).containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
        assertThat(life.state()).isEqualTo(Lifecycle.State.FAILED);
        life.stop();
        assertThat(events).as("nothing stops twice").hasSize(6);

        events.clear();
        Lifecycle ok = new Lifecycle(new LogRing(16, null, () -> 0))
                .add(HostService.of("x", () -> events.add("start x"), () -> events.add("stop x")))
                .add(HostService.of("y", () -> events.add("start y"), () -> {
                    events.add("stop y");
                    throw new IllegalStateException("y is stuck");
                }))
                .add(HostService.of("z", () -> events.add("start z"), () -> events.add("stop z")));
        assertThat(catchThrowable(ok::start)).isNull();
        ok.stop();
        ok.stop();
        assertThat(events).as("a failing stop does not keep the others up").containsExactly("start x", "start y", "start z", "stop z", "stop y", "stop x");
    }
}
