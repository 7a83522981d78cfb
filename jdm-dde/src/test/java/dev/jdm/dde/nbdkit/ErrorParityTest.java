package dev.jdm.dde.nbdkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jdm.abi.blk.BlockStatus;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same requests, advertised or not, to a plugin under the library and under the real nbdkit
 * (through a raw NBD client), and the same answer from both: success, or the same NBD error.
 * full gives ENOSPC on writes; a read-only connection and pattern (no pwrite) refuse writes with
 * EPERM on the wire (EROFS in the library, which NBD carries as EPERM).
 */
class ErrorParityTest {
    @TempDir
    static Path tmp;

    /** One request: NBD command, NBD flags, offset, length (offsets below 0 count from the end). */
    record Op(String label, int cmd, int nbdFlags, long offset, int length) {
        @Override
        public String toString() {
            return label;
        }
    }

    static final List<Op> OPS = List.of(
            new Op("read 0+4096", RawNbdClient.CMD_READ, 0, 0, 4096),
            new Op("read past end", RawNbdClient.CMD_READ, 0, -512, 4096),
            new Op("write 0+4096", RawNbdClient.CMD_WRITE, 0, 0, 4096),
            new Op("write fua", RawNbdClient.CMD_WRITE, RawNbdClient.FLAG_FUA, 4096, 4096),
            new Op("write past end", RawNbdClient.CMD_WRITE, 0, -512, 4096),
            new Op("flush", RawNbdClient.CMD_FLUSH, 0, 0, 0),
            new Op("trim", RawNbdClient.CMD_TRIM, 0, 8192, 4096),
            new Op("trim fua", RawNbdClient.CMD_TRIM, RawNbdClient.FLAG_FUA, 8192, 4096),
            new Op("zero may-trim", RawNbdClient.CMD_WRITE_ZEROES, 0, 12288, 4096),
            new Op("zero no-hole fua", RawNbdClient.CMD_WRITE_ZEROES, RawNbdClient.FLAG_NO_HOLE | RawNbdClient.FLAG_FUA, 16384, 4096),
            new Op("zero fast", RawNbdClient.CMD_WRITE_ZEROES, RawNbdClient.FLAG_FAST_ZERO, 20480, 4096),
            new Op("zero past end", RawNbdClient.CMD_WRITE_ZEROES, 0, -512, 4096),
            new Op("cache", RawNbdClient.CMD_CACHE, 0, 0, 4096),
            new Op("read 0 bytes", RawNbdClient.CMD_READ, 0, 0, 0),
            new Op("write 0 bytes", RawNbdClient.CMD_WRITE, 0, 0, 0),
            new Op("trim 0 bytes", RawNbdClient.CMD_TRIM, 0, 0, 0),
            new Op("zero 0 bytes", RawNbdClient.CMD_WRITE_ZEROES, 0, 0, 0),
            new Op("cache 0 bytes", RawNbdClient.CMD_CACHE, 0, 0, 0),
            new Op("read at end, 0 bytes", RawNbdClient.CMD_READ, 0, -0, 0),
            new Op("write past end, fua", RawNbdClient.CMD_WRITE, RawNbdClient.FLAG_FUA, -512, 4096));

    static Stream<Arguments> cases() throws Exception {
        Path file = Files.createTempFile("dde-parity-", ".img");
        Files.write(file, new byte[1 << 20]);
        file.toFile().deleteOnExit();
        return Stream.of(
                Arguments.of("full", List.of("size=1M"), false),
                Arguments.of("pattern", List.of("size=1M"), false),
                Arguments.of("memory", List.of("size=1M"), true),
                Arguments.of("memory", List.of("size=1M"), false),
                Arguments.of("file", List.of("file=" + file), false),
                Arguments.of("null", List.of("size=1M"), false),
                Arguments.of("zero", List.of(), false),
                Arguments.of("sparse-random", List.of("size=1M"), false),
                Arguments.of("data", List.of("data=1 2 3", "size=1M"), false),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=1M"), false),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=1M", "zero=enotsup"), false),
                Arguments.of(Recorder.testPlugin("jdmv1"), List.of("size=1M"), false),
                Arguments.of(Recorder.testPlugin("jdmv1"), List.of("size=1M", "fail-at=4096"), false),
                Arguments.of(Recorder.testPlugin("jdmv1"), List.of("size=1M", "fail-at=4096", "fail-set-error=1"), false),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=1M", "fail-at=4096", "fail-how=errno", "fail-errno=28"), false),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=1M", "fail-at=4096", "fail-how=errno", "fail-errno=1"), false),
                Arguments.of(Recorder.testPlugin("jdmtest"), List.of("size=1M", "fail-at=4096", "fail-how=none"), false),
                Arguments.of(Recorder.testPlugin("jdmshort"), List.of("size=1M"), false));
    }

    @ParameterizedTest(name = "{0} {1} readonly={2}")
    @MethodSource("cases")
    void shouldFailAsNbdkitDoes(String plugin, List<String> args, boolean readonly) throws Exception {
        List<String> ours = new ArrayList<>();
        try (NbdkitPlugin p = NbdkitPlugin.start(plugin, args, new Recorder()); PluginConnection c = p.open(readonly)) {
            for (Op op : OPS) {
                boolean unadvertised = (op.nbdFlags() & RawNbdClient.FLAG_FAST_ZERO) != 0 && !c.capabilities().fastZero();
                ours.add(op + ": " + (unadvertised ? "not advertised" : wire(library(c, op), op.nbdFlags())));
            }
        }
        List<String> theirs = new ArrayList<>();
        try (RealNbdkit peer = readonly ? RealNbdkit.start(plugin, args, "-r") : RealNbdkit.start(plugin, args);
                RawNbdClient client = new RawNbdClient(peer.socket)) {
            for (Op op : OPS) {
                long offset = op.offset() < 0 ? client.size + op.offset() : op.offset();
                // nbdkit 1.32 dies on an assertion (backend.c:725) when sent a fast zero it did not offer.
                if ((op.nbdFlags() & RawNbdClient.FLAG_FAST_ZERO) != 0 && (client.transmissionFlags & RawNbdClient.SEND_FAST_ZERO) == 0) {
                    theirs.add(op + ": not advertised");
                    continue;
                }
                try {
                    theirs.add(op + ": " + client.request(op.cmd(), op.nbdFlags(), offset, op.length()));
                } catch (java.io.IOException e) {
                    throw new AssertionError("nbdkit dropped the connection at " + op + "; log: " + peer.log(), e);
                }
            }
        }
        assertThat(ours).isEqualTo(theirs);
    }

    /** Runs op through the library; returns the errno, 0 for success. */
    static int library(PluginConnection c, Op op) throws Exception {
        long offset = op.offset() < 0 ? c.size() + op.offset() : op.offset();
        int fua = (op.nbdFlags() & RawNbdClient.FLAG_FUA) != 0 ? PluginConnection.FUA : 0;
        try (Arena a = Arena.ofConfined()) {
            switch (op.cmd()) {
                case RawNbdClient.CMD_READ -> c.pread(a.allocate(op.length()), offset);
                case RawNbdClient.CMD_WRITE -> c.pwrite(a.allocate(op.length()), offset, fua);
                case RawNbdClient.CMD_FLUSH -> c.flush();
                case RawNbdClient.CMD_TRIM -> c.trim(offset, op.length(), fua);
                case RawNbdClient.CMD_CACHE -> c.cache(offset, op.length());
                case RawNbdClient.CMD_WRITE_ZEROES -> {
                    int flags = fua | ((op.nbdFlags() & RawNbdClient.FLAG_NO_HOLE) == 0 ? PluginConnection.MAY_TRIM : 0)
                            | ((op.nbdFlags() & RawNbdClient.FLAG_FAST_ZERO) != 0 ? PluginConnection.FAST_ZERO : 0);
                    c.zero(offset, op.length(), flags);
                }
                default -> throw new IllegalArgumentException(op.toString());
            }
            return 0;
        } catch (NbdkitException e) {
            return e.errno();
        }
    }

    /**
     * How nbdkit's server puts an errno on the wire (the NBD protocol has eight): EROFS as EPERM,
     * EFBIG and EDQUOT as ENOSPC, ENOTSUP only for a fast zero, anything else as EINVAL.
     */
    static int wire(int errno, int nbdFlags) {
        return switch (errno) {
            case 0 -> 0;
            case BlockStatus.EPERM, BlockStatus.EROFS -> 1;
            case BlockStatus.EIO -> 5;
            case BlockStatus.ENOMEM -> 12;
            case BlockStatus.ENOSPC, 27, 122 -> 28;
            case 108 -> 108;
            case BlockStatus.EOPNOTSUPP -> (nbdFlags & RawNbdClient.FLAG_FAST_ZERO) != 0 ? 95 : 22;
            default -> 22;
        };
    }
}
