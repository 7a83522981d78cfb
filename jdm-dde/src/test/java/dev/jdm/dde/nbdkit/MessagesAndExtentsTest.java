package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nbdkit_error and nbdkit_debug reach the listener under the plugin's name; a failed request
 * carries its errno and the plugin's text; extents follow nbdkit_add_extent's rules; a struct
 * cut short by _struct_size has no fields past it.
 */
class MessagesAndExtentsTest {
    private final Recorder rec = new Recorder();

    @Test
    void shouldCarryErrnoAndTextOfAFailedRequest() throws Exception {
        List<String> args = List.of("size=1M", "fail-at=4096", "fail-how=set_error", "fail-errno=28");
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), args, rec);
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> c.pread(a.allocate(8192), 0))
                    .isInstanceOfSatisfying(NbdkitException.class, e -> {
                        assertThat(e.errno()).isEqualTo(28);
                        assertThat(e.pluginMessage()).isEqualTo("injected failure at 4096");
                    })
                    .hasMessage("jdmtest: pread at 0 (8192 bytes) failed: ENOSPC: injected failure at 4096");
            assertThat(rec.messages).contains(new Recorder.Message("jdmtest", PluginListener.Level.ERROR, "injected failure at 4096"));
            // The next request starts clean: no errno or text left over from the failure.
            c.pread(a.allocate(4096), 0);
        }
    }

    @Test
    void shouldUseEioWhenApi1PluginLeavesOnlyErrnoWithoutErrnoIsPreserved() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmv1"), List.of("size=1M", "fail-at=0"), rec);
                PluginConnection c = p.open(false); Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> c.pwrite(a.allocate(512), 0, 0))
                    .hasMessage("jdmv1: pwrite at 0 (512 bytes) failed: EIO: v1 failure at 0");
        }
    }

    @Test
    void shouldDeliverDebugTextAndTheExportName() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M"), rec)) {
            p.open(true, "disk-a").close();
            assertThat(rec.messages).contains(new Recorder.Message("jdmtest", PluginListener.Level.DEBUG, "open readonly=1 export=disk-a"));
        }
    }

    @Test
    void shouldClipAndMergeExtentsAndHonourReqOne() throws Exception {
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M"), rec); PluginConnection c = p.open(true)) {
            assertThat(c.extents(1000, 1 << 19, 0)).containsExactly(new Extent(1000, (1 << 19) - 1000, false, false),
                    new Extent(1 << 19, 1000, true, true));
            assertThat(c.extents(1000, 1 << 19, PluginConnection.REQ_ONE)).containsExactly(new Extent(1000, (1 << 19) - 1000, false, false));
            assertThat(c.extents((1 << 19) + 5, 10, 0)).containsExactly(new Extent((1 << 19) + 5, 10, true, true));
        }
    }

    @Test
    void shouldRefuseExtentsThatBreakTheRules() throws Exception {
        for (String mode : List.of("gap", "backwards")) {
            rec.messages.clear();
            try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmtest"), List.of("size=1M", "extents=" + mode), rec);
                    PluginConnection c = p.open(true)) {
                assertThatThrownBy(() -> c.extents(0, 1 << 20, 0))
                        .isInstanceOfSatisfying(NbdkitException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"))
                        .hasMessageEndingWith(mode.equals("gap")
                                ? "nbdkit_add_extent: extents must be added in ascending order and must be contiguous"
                                : "nbdkit_add_extent: the first extent must not start after the requested offset 0");
            }
        }
    }

    @Test
    void shouldReadFieldsBeyondStructSizeAsAbsent() throws Exception {
        // jdmshort is jdmtest with _struct_size ending before magic_config_key: its .extents,
        // .thread_model, .can_fua and the rest are in the binary but not in the struct it declared.
        try (NbdkitPlugin p = NbdkitPlugin.start(Recorder.testPlugin("jdmshort"), List.of("size=1M", "thread-model=0"), rec);
                PluginConnection c = p.open(false)) {
            assertThat(p.magicConfigKey()).isNull();
            assertThat(p.threadModel()).isEqualTo(ThreadModel.PARALLEL);
            assertThat(c.capabilities().extents()).isFalse();
            assertThat(c.capabilities().multiConn()).isFalse();
            // can_fua lies inside the struct, so it still counts.
            assertThat(c.capabilities().fua()).isEqualTo(Capabilities.Fua.NATIVE);
        }
    }
}
