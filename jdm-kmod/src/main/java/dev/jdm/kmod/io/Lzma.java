package dev.jdm.kmod.io;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.Optional;

/**
 * The xz decoder of liblzma (the library kmod itself links), called through FFM.
 *
 * <p>Why not only the pure-Java decoder: a distribution tree of {@code .ko.xz} files is half a
 * gigabyte once inflated, and inflating it is nearly all of depmod's work. liblzma decodes about
 * twice as fast as xz-java (in the JIT's C1 tier, which short-lived commands run in, three times),
 * so jdm's depmod could not keep up with kmod's even on two cores. Where liblzma cannot be loaded,
 * {@link ModuleFile} falls back to xz-java, with the same results.
 *
 * <p>One {@code Lzma} is one decoder state, used by one thread at a time; it is kept between
 * files so that liblzma reuses its dictionary instead of allocating (and faulting in) a new one
 * for every module.
 */
final class Lzma implements AutoCloseable {
    /** The decoder's memory limit: 64 MiB, as {@link ModuleFile} gives xz-java. */
    static final long MEMLIMIT = 64L << 20;
    private static final int LZMA_CONCATENATED = 0x08;
    private static final int LZMA_FINISH = 3;
    private static final int LZMA_OK = 0;
    private static final int LZMA_STREAM_END = 1;
    /** sizeof(lzma_stream) on LP64: six in/out fields, two pointers, four reserved pointers, four reserved integers, two enums. */
    private static final long STREAM_SIZE = 136;
    private static final long NEXT_IN = 0;
    private static final long AVAIL_IN = 8;
    private static final long NEXT_OUT = 24;
    private static final long AVAIL_OUT = 32;

    private record Functions(MethodHandle streamDecoder, MethodHandle code, MethodHandle end) {
    }

    private static final Optional<Functions> FUNCTIONS = load();

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment stream = arena.allocate(STREAM_SIZE, 8);
    private boolean closed;

    private static Optional<Functions> load() {
        // Without --enable-native-access the JDK would warn on stderr at the first call: stay on xz-java.
        if (ValueLayout.ADDRESS.byteSize() != 8 || !Lzma.class.getModule().isNativeAccessEnabled()
                || Boolean.getBoolean("jdm.kmod.noLiblzma")) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup("liblzma.so.5", Arena.global());
            MethodHandle decoder = linker.downcallHandle(lib.findOrThrow("lzma_stream_decoder"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            MethodHandle code = linker.downcallHandle(lib.findOrThrow("lzma_code"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            MethodHandle end = linker.downcallHandle(lib.findOrThrow("lzma_end"), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            return Optional.of(new Functions(decoder, code, end));
        } catch (IllegalArgumentException | IllegalCallerException | UnsupportedOperationException
                 | java.util.NoSuchElementException e) {
            // no liblzma.so.5, or native access not enabled: the caller uses xz-java
            return Optional.empty();
        }
    }

    /** True if liblzma could be loaded (and native access is allowed). */
    static boolean available() {
        return FUNCTIONS.isPresent();
    }

    /**
     * Decodes the whole of {@code in} (one or more concatenated .xz streams) into {@code out},
     * from its start, growing it up to {@code max} bytes; returns the decoded length.
     */
    long decode(MemorySegment in, NativeBuffer out, long max) throws LzmaException {
        try {
            return decodeAt(in, out, max);
        } finally {
            // liblzma holds only in's raw address: without this fence the JIT may treat in (and a
            // mapped file's buffer behind it) as dead, and a collection unmaps it under the decoder
            Reference.reachabilityFence(in);
        }
    }

    private long decodeAt(MemorySegment in, NativeBuffer out, long max) throws LzmaException {
        Functions f = FUNCTIONS.orElseThrow();
        int init;
        try {
            init = (int) f.streamDecoder().invokeExact(stream, MEMLIMIT, LZMA_CONCATENATED);
        } catch (Throwable t) {
            throw new LzmaException(false, "lzma_stream_decoder failed: " + t);
        }
        check(init);
        stream.set(ValueLayout.ADDRESS, NEXT_IN, in);
        stream.set(ValueLayout.JAVA_LONG, AVAIL_IN, in.byteSize());
        long done = 0;
        while (true) {
            MemorySegment window = out.segment().asSlice(done);
            stream.set(ValueLayout.ADDRESS, NEXT_OUT, window);
            stream.set(ValueLayout.JAVA_LONG, AVAIL_OUT, window.byteSize());
            int ret;
            try {
                ret = (int) f.code().invokeExact(stream, LZMA_FINISH);
            } catch (Throwable t) {
                throw new LzmaException(false, "lzma_code failed: " + t);
            }
            long left = stream.get(ValueLayout.JAVA_LONG, AVAIL_OUT);
            done += window.byteSize() - left;
            if (ret == LZMA_STREAM_END) {
                return done;
            }
            check(ret);
            if (left == 0) {
                if (done >= max) {
                    throw new LzmaException(true, "data inflates beyond " + (max >> 20) + " MiB; refusing");
                }
                out.grow(Math.min(max, Math.max(done * 2, 1 << 16)), done);
            }
        }
    }

    private static void check(int ret) throws LzmaException {
        if (ret != LZMA_OK) {
            throw new LzmaException(false, switch (ret) {
                case 5 -> "cannot allocate memory";
                case 6 -> "needs more than " + (MEMLIMIT >> 20) + " MiB of memory to decode";
                case 7 -> "file format not recognized";
                case 8 -> "unsupported options";
                case 9 -> "compressed data is corrupt";
                case 10 -> "unexpected end of input";
                default -> "liblzma error " + ret;
            });
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                FUNCTIONS.orElseThrow().end().invokeExact(stream);
            } catch (Throwable t) {
                throw new IllegalStateException("lzma_end failed", t);
            } finally {
                arena.close();
            }
        }
    }

    /** A decoding failure; {@code tooLarge} when the cap was reached rather than the data bad. */
    static final class LzmaException extends Exception {
        final boolean tooLarge;

        LzmaException(boolean tooLarge, String message) {
            super(message);
            this.tooLarge = tooLarge;
        }
    }
}
