package dev.jdm.host.chr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharOpen;
import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.DevSchema;
import dev.jdm.host.Host;
import dev.jdm.host.HostException;
import dev.jdm.host.module.LoadedModule;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every character driver must do, run through the real host: the module is loaded by the
 * host's loader from its compiled classes and its nodes are opened through the layer's facade as
 * an administrator (security is the wiring's, tested on its own). A driver's test extends this and
 * names its module and nodes.
 */
public abstract class CharDriverContract {
    private static final int RW = CharOpen.READ | CharOpen.WRITE;
    @TempDir
    protected Path tmp;
    protected Host host;
    protected final CharAccess admin = new OpenAsAdmin();

    /** The directory (or JAR) holding the driver module's classes and META-INF/jdm. */
    protected Path moduleClasses() {
        return Path.of("target/classes");
    }

    /** The module's name. */
    protected abstract String moduleName();

    /** The nodes it registers once loaded with {@link #params()}. */
    protected abstract Set<String> nodes();

    /** Its load parameters. */
    protected Map<String, String> params() {
        return Map.of();
    }

    /** Runs once the host is up, before the driver loads: a hardware driver's device is plugged here (coldplug). */
    protected void beforeLoad() throws IOException {}

    @BeforeEach
    void loadDriver() throws IOException {
        Path config = Files.writeString(tmp.resolve("host.toml"), "modules = []\n");
        host = Host.start(new Host.Options(config, tmp.resolve("gate.sock"), tmp.resolve("state"), null, null));
        beforeLoad();
        host.modules().load(JarContents.read(moduleClasses()), moduleClasses().toString(), params(), false);
    }

    @AfterEach
    void unload() {
        host.close();
    }

    protected LoadedModule module() {
        return host.modules().get(moduleName()).orElseThrow();
    }

    @Test
    void registersItsNodesUnderItsNameWithDistinctNumbers() {
        List<NodeInfo> mine = host.chr().list().stream().filter(n -> n.module().equals(moduleName())).toList();
        assertThat(mine).extracting(NodeInfo::name).containsExactlyInAnyOrderElementsOf(nodes());
        assertThat(mine.stream().map(n -> n.major() + ":" + n.minor()).collect(Collectors.toSet())).hasSize(mine.size());
        assertThat(mine).allSatisfy(n -> assertThat(n.mode()).isBetween(0, 0777));
    }

    @Test
    void everyOpenIsCountedUntilClosedAndPinsTheModule() {
        for (String n : nodes()) {
            OpenFile f = host.chr().open(n, RW, admin);
            assertThat(host.chr().find(n).orElseThrow().openCount()).isEqualTo(1);
            assertThat(module().refcount()).as("an open file holds " + moduleName()).isEqualTo(1);
            assertThatThrownBy(() -> host.modules().unload(moduleName(), false, false)).isInstanceOf(HostException.class)
                    .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EBUSY));
            f.close();
            f.close(); // idempotent: the release runs once
            assertThat(host.chr().find(n).orElseThrow().openCount()).isZero();
            assertThat(module().refcount()).isZero();
        }
    }

    @Test
    void aReadOnWriteOnlyFileAndAWriteOnReadOnlyFileAreRefusedWithEbadf() {
        for (String n : nodes()) {
            try (OpenFile w = host.chr().open(n, CharOpen.WRITE, admin); OpenFile r = host.chr().open(n, CharOpen.READ, admin)) {
                assertThatThrownBy(() -> w.read(16, Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EBADF));
                assertThatThrownBy(() -> r.write(new byte[16], Heartbeat.NONE)).satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EBADF));
            }
        }
    }

    @Test
    void nonBlockingReadsAndZeroTimeoutPollsNeverWait() {
        for (String n : nodes()) {
            try (OpenFile f = host.chr().open(n, CharOpen.READ | CharOpen.NONBLOCK, admin)) {
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    try {
                        f.read(4096, Heartbeat.NONE);
                    } catch (HostException e) {
                        assertThat(e.code()).as(n + ": a non-blocking read that cannot complete").isNotNull();
                    }
                    f.poll(CharFile.POLLIN | CharFile.POLLOUT, 0, Heartbeat.NONE);
                });
            }
        }
    }

    @Test
    void aSecondExclusiveOpenerGetsEbusyUntilTheHolderCloses() {
        for (String n : nodes()) {
            OpenFile holder = host.chr().open(n, CharOpen.READ | CharOpen.EXCL, admin);
            assertThat(host.chr().find(n).orElseThrow().held()).isTrue();
            assertThatThrownBy(() -> host.chr().open(n, CharOpen.READ | CharOpen.EXCL, admin))
                    .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EBUSY));
            holder.close();
            host.chr().open(n, CharOpen.READ | CharOpen.EXCL, admin).close();
            assertThat(host.chr().find(n).orElseThrow().held()).isFalse();
        }
    }

    @Test
    void aForcedUnloadReleasesOpenFilesAndRemovesTheNodes() throws Exception {
        List<OpenFile> open = nodes().stream().map(n -> host.chr().open(n, RW, admin)).toList();
        host.modules().unload(moduleName(), false, true);
        assertThat(open).allSatisfy(f -> assertThat(f.isClosed()).isTrue());
        assertThat(host.chr().list()).noneMatch(n -> nodes().contains(n.name()));
        assertThatThrownBy(() -> open.getFirst().read(1, Heartbeat.NONE)).isInstanceOf(HostException.class);
    }

    @Test
    void tenThousandOpenCloseCyclesLeakNothing() {
        long size = module().size();
        for (String n : nodes()) {
            for (int i = 0; i < 10_000; i++) {
                host.chr().open(n, RW, admin).close();
            }
            assertThat(host.chr().find(n).orElseThrow().openCount()).isZero();
        }
        assertThat(module().refcount()).isZero();
        assertThat(module().size()).as("the module's memory (code and kmem) after 10,000 cycles per node").isEqualTo(size);
    }

    @Test
    void typedCallsPublishASchemaWithAFingerprintPerMethod() {
        for (String n : nodes()) {
            host.chr().calls(n).ifPresent(c -> {
                DevSchema s = c.schema();
                assertThat(s.getMethodsList()).isNotEmpty();
                assertThat(s.getMethodsList()).allSatisfy(m -> assertThat(m.getFingerprint()).matches("[0-9a-f]{16}"));
                assertThatThrownBy(() -> c.invoke("no-such-call", "", null))
                        .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.ENOSYS));
            });
        }
    }
}
