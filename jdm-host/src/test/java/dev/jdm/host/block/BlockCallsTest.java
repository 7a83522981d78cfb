package dev.jdm.host.block;

import dev.jdm.errno.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockStatus;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRecord;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.sys.Libc;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's block calls: who may move a guard, and what is refused with which errno. */
class BlockCallsTest {
    final LogRing log = new LogRing(256, null, () -> 0);
    final List<String> pins = new ArrayList<>();
    final BlockRegistry registry = new BlockRegistry(log);
    /** The owner of the test's LUs, recording each pin taken and dropped. */
    final dev.jdm.host.module.ModuleSite memdrv = new dev.jdm.host.module.ModuleSite() {
        final EmbedderSite plain = new EmbedderSite("memdrv");

        @Override
        public String name() {
            return "memdrv";
        }

        @Override
        public dev.jdm.symvers.ModInfo info() {
            return plain.info();
        }

        @Override
        public dev.jdm.abi.Params params() {
            return plain.params();
        }

        @Override
        public dev.jdm.host.module.ModuleService.LoadRequest request() {
            return plain.request();
        }

        @Override
        public <T> T face(Class<T> type) {
            return plain.face(type);
        }

        @Override
        public dev.jdm.host.module.ModulePin pin() {
            pins.add("+memdrv");
            return new dev.jdm.host.module.ModulePin() {
                @Override
                public String module() {
                    return "memdrv";
                }

                @Override
                public void close() {
                    pins.add("-memdrv");
                }
            };
        }
    };
    /** The privilege check as caps makes it: root or the host's user; the change is recorded. */
    final List<String> checked = new ArrayList<>();
    final dev.jdm.host.calls.BlockCalls calls = new dev.jdm.host.calls.BlockCalls(registry, (task, change) -> {
        checked.add(change.key() + " " + change.oldValue() + " -> " + change.newValue());
        int uid = task.credentials().uid();
        if (uid != 0 && uid != Libc.getuid()) {
            throw new HostException(dev.jdm.errno.Errno.EPERM, "uid " + uid + " may not write sysctls");
        }
    });

    BlockCallsTest() {
        registry.forModule(memdrv).device("mem0").size(1 << 20).register(r -> r.complete(BlockStatus.OK));
    }

    static Task task(int uid) {
        return new Task(7, "gate:1", new Credentials(uid, uid, 1));
    }

    @Test
    void shouldLetOnlyRootOrTheHostUserMoveTheGuardAndLogWhoDid() {
        int stranger = Libc.getuid() == 4242 ? 4343 : 4242;
        assertThatThrownBy(() -> calls.guard(task(stranger), "mem0", 0)).isInstanceOf(HostException.class)
                .hasMessageContaining("may not write sysctls").extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EPERM);
        assertThat(registry.find("mem0").orElseThrow().bootGuard()).isEqualTo(BlockDevice.DEFAULT_BOOT_GUARD);
        assertThat(calls.guard(task(Libc.getuid()), "mem0", 512).getLus(0).getBootGuard()).isEqualTo(512);
        assertThat(log.since(1).stream().map(LogRecord::message)).anyMatch(m -> m.equals("mem0: boot guard 0x10000 -> 0x200 by uid " + Libc.getuid() + " (gate:1)"));
        assertThat(checked).as("the security stack is asked, as for the setting blk.LU.boot_guard")
                .containsExactly("blk.mem0.boot_guard 65536 -> 0", "blk.mem0.boot_guard 65536 -> 512");
        assertThatThrownBy(() -> calls.guard(task(0), "mem0", -1)).hasMessageContaining("outside 0..");
        assertThatThrownBy(() -> calls.guard(task(0), "nope", 0)).hasMessageContaining("no LU named nope");
    }

    @Test
    void shouldPinTheDriverWhileAnLuIsOpenAndShowTheHolder() {
        LuHandle h = registry.open("mem0", "nbd");
        assertThat(calls.ls("mem0").getLus(0).getHoldersList()).containsExactly("nbd");
        assertThat(registry.find("mem0").orElseThrow().openCount()).isEqualTo(1);
        h.close();
        h.close();
        assertThat(pins).containsExactly("+memdrv", "-memdrv");
        assertThat(registry.find("mem0").orElseThrow().openCount()).isZero();
    }

    @Test
    void shouldRefuseBadLuNamesAndDuplicates() {
        var layer = registry.forModule(memdrv);
        assertThatThrownBy(() -> layer.device("Bad/Name")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad/Name");
        assertThatThrownBy(() -> layer.device("mem0").size(1 << 20).register(r -> r.complete(0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exists already");
        assertThatThrownBy(() -> layer.device("mem1").size(1000).register(r -> r.complete(0))).hasMessageContaining("not a positive multiple of 512");
        assertThatThrownBy(() -> layer.device("mem1").size(4096).logicalBlockSize(4096).physicalBlockSize(512).register(r -> r.complete(0)))
                .hasMessageContaining("physical block size 512");
        assertThat(registry.find("mem1")).isEmpty();
    }
}
