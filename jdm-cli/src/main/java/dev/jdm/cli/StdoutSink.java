package dev.jdm.cli;

import dev.jdm.gate.DevReads;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * {@code jdm dev cat}'s stdout. Bytes in memory go to fd 1 as a channel, in one write each. When
 * fd 1 is a pipe, a device read's bytes still on the gate's socket are spliced into it (splice(2)
 * moves the socket's pages to the pipe; nothing is copied through this process), and the pipe is
 * widened to {@link #PIPE_SIZE} so each splice and each wake-up of the reader moves more at once.
 */
final class StdoutSink implements DevReads.Sink {
    /** The pipe size asked for (fs.pipe-max-size allows 1 MiB to everyone by default). */
    static final int PIPE_SIZE = 1 << 20;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final int SPLICE_F_MOVE = 1;
    private static final int SPLICE_F_MORE = 4;
    private static final int EINTR = 4;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EPIPE = 32;
    private static final int STDOUT = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SPLICE = LINKER.downcallHandle(LINKER.defaultLookup().find("splice").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), ERRNO);

    private final FileChannel channel = new FileOutputStream(FileDescriptor.out).getChannel();
    private boolean pipe;

    private StdoutSink(boolean pipe) {
        this.pipe = pipe;
    }

    /** fd 1, spliced into if it is a pipe. */
    static StdoutSink open() {
        System.out.flush();
        int size = fcntl(F_GETPIPE_SZ, 0); // only a pipe has a size
        if (size > 0 && size < PIPE_SIZE) {
            fcntl(F_SETPIPE_SZ, PIPE_SIZE); // refused (a lowered pipe-max-size): the pipe stays as it is
        }
        return new StdoutSink(size > 0);
    }

    private static int fcntl(int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(STDOUT, cmd, arg);
        } catch (Throwable t) {
            return -1;
        }
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    @Override
    public boolean splice(int fd, int n) throws IOException {
        if (!pipe) {
            return false;
        }
        long moved = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
            while (moved < n) {
                long r = (long) SPLICE.invokeExact(state, fd, MemorySegment.NULL, STDOUT, MemorySegment.NULL, n - moved,
                        SPLICE_F_MOVE | SPLICE_F_MORE);
                if (r > 0) {
                    moved += r;
                    continue;
                }
                int errno = r == 0 ? 0 : (int) ERRNO_VALUE.get(state, 0L);
                if (errno == EINTR) {
                    continue;
                }
                if (moved == 0 && (errno == EINVAL || errno == ENOSYS)) {
                    pipe = false; // this kernel cannot splice from the socket: write instead
                    return false;
                }
                throw new IOException(r == 0 ? "the host closed the connection inside a read"
                        : errno == EPIPE ? "Broken pipe" : "splice to stdout: errno " + errno);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("splice to stdout: " + t, t);
        }
        return true;
    }
}
