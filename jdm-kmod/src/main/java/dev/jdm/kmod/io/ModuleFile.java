package dev.jdm.kmod.io;

import dev.jdm.kmod.KmodException;
import dev.jdm.kmod.elf.ElfFile;
import dev.jdm.kmod.elf.SymbolTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A module file opened for reading: uncompressed files are memory-mapped, compressed ones
 * (.ko.xz, .ko.zst, .ko.gz) are inflated into memory (.xz by liblzma where it can be loaded,
 * see {@link Lzma}, else by xz-java). Decompressed output is capped so that
 * a hostile file cannot exhaust the heap.
 *
 * @param path        the file as given
 * @param compression the format found by magic bytes
 * @param contents    the uncompressed module image (position 0, read-only)
 */
public record ModuleFile(Path path, Compression compression, ByteBuffer contents) {
    /** Largest module image we inflate; the biggest in-tree modules are around 100 MiB. */
    public static final int MAX_UNCOMPRESSED = 512 << 20;

    public static ModuleFile open(Path path) throws KmodException {
        try (Scratch scratch = new Scratch()) {
            ModuleFile f = open(path, scratch);
            if (f.compression == Compression.XZ && f.contents.isDirect()) {
                // the scratch is closed on return: the caller gets its own copy
                byte[] copy = new byte[f.contents.limit()];
                f.contents.get(0, copy);
                return new ModuleFile(path, f.compression, ByteBuffer.wrap(copy).asReadOnlyBuffer());
            }
            return f;
        }
    }

    /**
     * Opens {@code path}, inflating an .xz module into {@code scratch}'s buffer: the result's
     * contents are valid only until the next open through the same scratch, and only in the
     * thread that owns it. For reading many modules (depmod) without allocating each one.
     */
    public static ModuleFile open(Path path, Scratch scratch) throws KmodException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw KmodException.in(path, "file is too large (" + size + " bytes)");
            }
            // Mapped through FFM: FileChannel.map(mode, pos, size) builds its MappedByteBuffer by
            // reflection, for whose method-handle accessor the JVM spun some 30 classes in every
            // depmod run (the AOT cache does not keep them). An automatic arena unmaps it when it
            // is unreachable, as the buffer's cleaner did.
            ByteBuffer mapped = size == 0 ? ByteBuffer.allocate(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, Arena.ofAuto()).asByteBuffer();
            Compression c = Compression.detect(mapped);
            if (c == Compression.NONE) {
                return new ModuleFile(path, c, mapped);
            }
            if (c == Compression.XZ && Lzma.available()) {
                return new ModuleFile(path, c, scratch.inflateXz(path, MemorySegment.ofBuffer(mapped)));
            }
            return new ModuleFile(path, c, ByteBuffer.wrap(inflate(path, c, mapped)).asReadOnlyBuffer());
        } catch (NoSuchFileException e) {
            throw KmodException.in(path, "no such file");
        } catch (AccessDeniedException e) {
            throw KmodException.in(path, "permission denied");
        } catch (IOException e) {
            throw KmodException.in(path, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Where one thread inflates module files, one after another: liblzma's decoder state and
     * an output buffer, both kept from file to file.
     */
    public static final class Scratch implements AutoCloseable {
        private final SymbolTable.Buffers symbols = new SymbolTable.Buffers();
        private final dev.jdm.kmod.elf.Names names = new dev.jdm.kmod.elf.Names();
        private Lzma lzma;
        private NativeBuffer out;

        /** The symbol names of the modules read through this scratch, interned. */
        public dev.jdm.kmod.elf.Names names() {
            return names;
        }

        /** Arrays for the symbol tables of the modules read through this scratch. */
        public SymbolTable.Buffers symbolBuffers() {
            return symbols;
        }

        ByteBuffer inflateXz(Path path, MemorySegment compressed) throws KmodException {
            if (lzma == null) {
                lzma = new Lzma();
                out = new NativeBuffer(Math.max(1L << 20, Math.min(MAX_UNCOMPRESSED, compressed.byteSize() * 5)));
            }
            try {
                long n = lzma.decode(compressed, out, MAX_UNCOMPRESSED);
                return out.segment().asSlice(0, n).asReadOnly().asByteBuffer();
            } catch (Lzma.LzmaException e) {
                throw KmodException.in(path, e.tooLarge ? "xz " + e.getMessage() : "corrupt xz data: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            if (lzma != null) {
                lzma.close();
                out.close();
                lzma = null;
            }
        }
    }

    /** Parses the module image as ELF. */
    public ElfFile elf() throws KmodException {
        return ElfFile.parse(path.toString(), contents);
    }

    private static byte[] inflate(Path path, Compression c, ByteBuffer compressed) throws KmodException {
        try (InputStream in = decoder(c, new ByteBufferInputStream(compressed.duplicate()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(MAX_UNCOMPRESSED, compressed.limit() * 4));
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() > MAX_UNCOMPRESSED - n) {
                    throw KmodException.in(path, c.name().toLowerCase() + " data inflates beyond "
                            + (MAX_UNCOMPRESSED >> 20) + " MiB; refusing");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            // xz and zstd decoders report corruption as IOException or unchecked exceptions alike.
            throw KmodException.in(path, "corrupt " + c.name().toLowerCase() + " data: " + e.getMessage(), e);
        }
    }

    private static InputStream decoder(Compression c, InputStream raw) throws IOException {
        return switch (c) {
            case XZ -> new XZInputStream(raw, 64 << 10);
            case ZSTD -> new io.airlift.compress.zstd.ZstdInputStream(raw);
            case GZIP -> new GZIPInputStream(raw, 1 << 16);
            case NONE -> raw;
        };
    }

    /** Streams a buffer without copying it. */
    private static final class ByteBufferInputStream extends InputStream {
        private final ByteBuffer buf;

        ByteBufferInputStream(ByteBuffer buf) {
            this.buf = buf;
        }

        @Override
        public int read() {
            return buf.hasRemaining() ? buf.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buf.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
