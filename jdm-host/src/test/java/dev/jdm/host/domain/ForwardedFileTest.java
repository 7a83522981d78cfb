package dev.jdm.host.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharFile;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The host's proxy of a file served in a domain, against a peer that answers as a domain would
 * and as a broken or hostile one might: reads and writes cut into bounded parts, EAGAIN passed on,
 * and every answer no driver may give failing that request with EIO and a log line.
 */
class ForwardedFileTest {
    /** A peer answering each op with {@code answer}; it records the ops and the garbage it was told of. */
    static final class Peer implements ChrPeer {
        final List<long[]> ops = new ArrayList<>();
        final List<String> logged = new ArrayList<>();
        final List<Long> told = new ArrayList<>();
        Function<long[], Done> answer;

        Peer(Function<long[], Done> answer) {
            this.answer = answer;
        }

        @Override
        public Done op(String module, String node, int op, long file, long x, long y, long z, String text, String fingerprint, byte[] data) {
            long[] o = {op, file, x, y, data.length};
            ops.add(o);
            return answer.apply(o);
        }

        @Override
        public void tell(String module, String node, int op, long file) {
            told.add(file);
        }

        @Override
        public HostException garbage(String what, String why) {
            logged.add(what + ": " + why);
            return new HostException(Errno.EIO, what + ": " + why);
        }
    }

    static ChrPeer.Done ok(long v, byte[] data) {
        return new ChrPeer.Done(v, "", data);
    }

    private static CharFile file(Peer p) {
        return new ForwardedFile(p, "m", "dev", 7);
    }

    @Test
    void shouldCutALongReadIntoBoundedPartsAndStopAtAShortOne() {
        Peer p = new Peer(o -> ok(o[2], new byte[(int) o[2]]));
        assertThat(file(p).read(MemorySegment.ofArray(new byte[150 << 10]))).isEqualTo(150 << 10);
        assertThat(p.ops).extracting(o -> o[2]).containsExactly((long) DomainProtocol.MAX_CHR_DATA, (long) DomainProtocol.MAX_CHR_DATA,
                (long) (150 << 10) - 2L * DomainProtocol.MAX_CHR_DATA);
        Peer shortPart = new Peer(o -> ok(10, new byte[10]));
        assertThat(file(shortPart).read(MemorySegment.ofArray(new byte[1 << 20]))).isEqualTo(10);
        assertThat(shortPart.ops).hasSize(1);
    }

    @Test
    void shouldPassEagainOnAndReturnTheBytesSoFarWhenALaterPartWouldWait() {
        Peer again = new Peer(o -> ok(-CharStatus.EAGAIN, new byte[0]));
        assertThat(file(again).read(MemorySegment.ofArray(new byte[100]))).isEqualTo(-CharStatus.EAGAIN);
        int[] n = {0};
        Peer thenWait = new Peer(o -> n[0]++ == 0 ? ok(o[2], new byte[(int) o[2]]) : ok(-CharStatus.EAGAIN, new byte[0]));
        assertThat(file(thenWait).read(MemorySegment.ofArray(new byte[1 << 20]))).isEqualTo(DomainProtocol.MAX_CHR_DATA);
    }

    @Test
    void shouldCopyTheAnswersBytesWhereTheyBelong() {
        byte[] dst = new byte[DomainProtocol.MAX_CHR_DATA + 3];
        int[] n = {0};
        Peer p = new Peer(o -> {
            byte[] b = new byte[(int) o[2]];
            Arrays.fill(b, (byte) (++n[0]));
            return ok(b.length, b);
        });
        file(p).read(MemorySegment.ofArray(dst));
        assertThat(dst[0]).isEqualTo((byte) 1);
        assertThat(dst[DomainProtocol.MAX_CHR_DATA - 1]).isEqualTo((byte) 1);
        assertThat(dst[DomainProtocol.MAX_CHR_DATA]).isEqualTo((byte) 2);
    }

    @Test
    void shouldFailWithEioAndLogADomainThatAnswersMoreThanAskedOrACountThatIsNotItsData() {
        Peer more = new Peer(o -> ok(o[2] + 1, new byte[(int) o[2] + 1]));
        assertThatThrownBy(() -> file(more).read(MemorySegment.ofArray(new byte[16]))).isInstanceOf(HostException.class)
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO)).hasMessageContaining("for 16 asked");
        assertThat(more.logged).hasSize(1);
        Peer lies = new Peer(o -> ok(8, new byte[4]));
        assertThatThrownBy(() -> file(lies).read(MemorySegment.ofArray(new byte[16])))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        Peer noErrno = new Peer(o -> ok(-100_000, new byte[0]));
        assertThatThrownBy(() -> file(noErrno).read(MemorySegment.ofArray(new byte[16])))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        assertThat(noErrno.logged).singleElement().asString().contains("-100000");
    }

    @Test
    void shouldCutWritesAndRefuseAWriteThatTookMoreThanGivenOrNothing() {
        Peer all = new Peer(o -> ok(o[4], new byte[0]));
        assertThat(file(all).write(MemorySegment.ofArray(new byte[130 << 10]))).isEqualTo(130 << 10);
        assertThat(all.ops).hasSize(3).allSatisfy(o -> assertThat(o[4]).isLessThanOrEqualTo(DomainProtocol.MAX_CHR_DATA));
        Peer half = new Peer(o -> ok(o[4] / 2, new byte[0]));
        assertThat(file(half).write(MemorySegment.ofArray(new byte[100]))).isEqualTo(50);
        Peer greedy = new Peer(o -> ok(o[4] + 1, new byte[0]));
        assertThatThrownBy(() -> file(greedy).write(MemorySegment.ofArray(new byte[10])))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        Peer none = new Peer(o -> ok(0, new byte[0]));
        assertThatThrownBy(() -> file(none).write(MemorySegment.ofArray(new byte[10])))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        Peer full = new Peer(o -> ok(-CharStatus.ENOSPC, new byte[0]));
        assertThat(file(full).write(MemorySegment.ofArray(new byte[10]))).isEqualTo(-CharStatus.ENOSPC);
    }

    @Test
    void shouldRefuseAnIoctlArgumentOfAnotherSizeAndCopyBackOneOfTheRightSize() {
        Peer wrong = new Peer(o -> ok(0, new byte[3]));
        assertThatThrownBy(() -> file(wrong).ioctl(0x80044501, MemorySegment.ofArray(new byte[4])))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        Peer right = new Peer(o -> ok(0, new byte[] {1, 0, 1, 0}));
        byte[] arg = new byte[4];
        assertThat(file(right).ioctl(0x80044501, MemorySegment.ofArray(arg))).isZero();
        assertThat(arg).containsExactly(1, 0, 1, 0);
        Peer unknown = new Peer(o -> ok(-CharStatus.ENOTTY, new byte[0]));
        assertThat(file(unknown).ioctl(0x4501, MemorySegment.ofArray(new byte[0]))).isEqualTo(-CharStatus.ENOTTY);
    }

    @Test
    void shouldReleaseByTellingThePeerAndOpenOnlyAValidHandle() {
        Peer p = new Peer(o -> ok(0, new byte[0]));
        file(p).release();
        assertThat(p.told).containsExactly(7L);
        Peer refuses = new Peer(o -> new ChrPeer.Done(-CharStatus.EBUSY, "dev: busy", new byte[0]));
        assertThatThrownBy(() -> new ForwardedDriver(refuses, "m", "dev").open(new Open()))
                .isInstanceOf(CharException.class).satisfies(e -> assertThat(((CharException) e).errno()).isEqualTo(CharStatus.EBUSY));
        Peer zero = new Peer(o -> ok(0, new byte[0]));
        assertThatThrownBy(() -> new ForwardedDriver(zero, "m", "dev").open(new Open()))
                .satisfies(e -> assertThat(((HostException) e).code()).isEqualTo(Errno.EIO));
        assertThat(new ForwardedDriver(new Peer(o -> ok(5, new byte[0])), "m", "dev").open(new Open())).isNotNull();
    }

    /** An open as the host's layer hands it over. */
    record Open() implements dev.jdm.abi.chr.CharOpen {
        @Override public int flags() { return READ; }
        @Override public int uid() { return 0; }
        @Override public int gid() { return 0; }
        @Override public int pid() { return 1; }
        @Override public dev.jdm.abi.chr.CharDevice device() { return null; }
    }
}
