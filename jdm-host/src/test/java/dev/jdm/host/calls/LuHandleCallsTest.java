package dev.jdm.host.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.errno.Errno;
import dev.jdm.gate.proto.BlkOpenCall;
import dev.jdm.gate.proto.Request;
import dev.jdm.host.HostException;
import dev.jdm.host.task.Credentials;
import dev.jdm.host.task.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** blk_open refuses what it cannot use before it opens anything. */
class LuHandleCallsTest {
    @Test
    void shouldRefuseABadHolderOrNoLuWithoutOpeningAnything() {
        List<String> opened = new ArrayList<>();
        LuHandleCalls calls = new LuHandleCalls((task, name, holder, write) -> {
            opened.add(name + " " + holder);
            throw new HostException(Errno.ENOENT, "blk: no LU named " + name);
        });
        Task task = new Task(1, "gate:1", new Credentials(0, 0, 1));
        assertThatThrownBy(() -> calls.handle(task, Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName("ram0")
                .setHolder("Bad Holder")).build(), r -> {}))
                .isInstanceOf(HostException.class)
                .hasMessage("blk open: holder \"Bad Holder\" is not 1-16 of [a-z0-9_-] starting with a letter")
                .extracting(e -> ((HostException) e).code()).isEqualTo(Errno.EINVAL);
        assertThatThrownBy(() -> calls.handle(task, Request.newBuilder().setBlkOpen(BlkOpenCall.getDefaultInstance()).build(), r -> {}))
                .hasMessage("blk open: no LU named");
        assertThat(opened).as("neither reached the block layer").isEmpty();
        assertThat(calls.openCount()).isZero();

        assertThatThrownBy(() -> calls.handle(task, Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName("ram9")
                .setHolder("backup")).build(), r -> {})).hasMessage("blk: no LU named ram9");
        assertThat(opened).containsExactly("ram9 backup");
        assertThat(calls.openCount()).as("a refused open leaves no handle").isZero();
    }
}
