package dev.jdm.isolation.shm;

import dev.jdm.errno.Errno;
import dev.jdm.isolation.sys.Sys;
import dev.jdm.isolation.sys.SysException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A shared-memory region: a file descriptor that can be handed to another process and a
 * {@code MAP_SHARED} mapping of it in this one. Closing unmaps and closes the descriptor; the pages
 * live on while the peer still maps them.
 *
 * <p>The host creates regions with {@code memfd_create} and seals their size, so that a peer holding
 * the descriptor cannot shrink the file under the host's mapping (which would make the host's next
 * access a SIGBUS). Where memfd is missing, an unlinked file under {@code /dev/shm} stands in; it
 * cannot be sealed, which {@link #sealed()} reports.
 */
public final class SharedRegion implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SharedRegion.class.getName());
    private static final int MFD_CLOEXEC = 1;
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int PROT_RW = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x01;
    private static final int SIZE_SEALS = Sys.F_SEAL_SHRINK | Sys.F_SEAL_GROW | Sys.F_SEAL_SEAL;

    private final int fd;
    private final long size;
    private final boolean sealed;
    private final Arena arena;
    private final MemorySegment segment;

    private SharedRegion(int fd, long size, boolean sealed) throws SysException {
        this.fd = fd;
        this.size = size;
        this.sealed = sealed;
        long address = Sys.call("mmap(fd " + fd + ", " + size + " bytes, MAP_SHARED)", Sys.MMAP,
                MemorySegment.NULL, size, PROT_RW, MAP_SHARED, fd, 0L);
        this.arena = Arena.ofShared();
        this.segment = MemorySegment.ofAddress(address).reinterpret(size, arena, null);
    }

    /** Creates a zeroed region of {@code size} bytes (memfd, size sealed; else {@code /dev/shm}). */
    public static SharedRegion create(String name, long size) throws IOException {
        checkSize(size);
        int fd;
        try (Arena a = Arena.ofConfined()) {
            fd = (int) Sys.call("memfd_create(" + name + ")", Sys.MEMFD_CREATE,
                    a.allocateFrom(name), MFD_CLOEXEC | MFD_ALLOW_SEALING);
        } catch (SysException e) {
            LOG.log(System.Logger.Level.WARNING, "shared region " + name + ": " + e.getMessage()
                    + "; falling back to an unlinked file in /dev/shm, whose size cannot be sealed");
            return createInDevShm(name, size);
        }
        try {
            Sys.call("ftruncate(memfd " + name + ", " + size + ")", Sys.FTRUNCATE, fd, size);
            Sys.fcntl(fd, Sys.F_ADD_SEALS, SIZE_SEALS);
            return new SharedRegion(fd, size, true);
        } catch (SysException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /** The fallback: an O_EXCL file under /dev/shm, unlinked at once so only descriptors reach it. */
    static SharedRegion createInDevShm(String name, long size) throws IOException {
        checkSize(size);
        Path path = Path.of("/dev/shm", "jdm-" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + UUID.randomUUID());
        int fd = Sys.open(path.toString(), Sys.O_RDWR | Sys.O_CREAT | Sys.O_EXCL, 0600);
        try {
            Files.delete(path);
            Sys.call("ftruncate(" + path + ", " + size + ")", Sys.FTRUNCATE, fd, size);
            return new SharedRegion(fd, size, false);
        } catch (IOException e) {
            Sys.closeQuietly(fd);
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Maps a region received from a peer. Its file must hold at least {@code size} bytes; the
     * descriptor becomes owned by the region (closed with it).
     */
    public static SharedRegion map(int fd, long size) throws IOException {
        checkSize(size);
        long actual = Sys.fileSize(fd);
        if (actual < size) {
            throw new IOException("shared region fd " + fd + " holds " + actual + " bytes, expected at least " + size);
        }
        boolean sealed;
        try {
            sealed = (Sys.fcntl(fd, Sys.F_GET_SEALS, 0) & Sys.F_SEAL_SHRINK) != 0;
        } catch (SysException e) {
            if (e.errno() != Errno.EINVAL.number()) {
                throw e;
            }
            sealed = false; // not a memfd: the /dev/shm fallback
        }
        return new SharedRegion(fd, size, sealed);
    }

    private static void checkSize(long size) {
        if (size <= 0 || size % 4096 != 0) {
            throw new IllegalArgumentException("shared region size must be a positive multiple of 4096, not " + size);
        }
    }

    /** The mapping, valid until {@link #close}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The descriptor to hand to a peer (SCM_RIGHTS); owned by this region. */
    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** Whether the file's size is sealed (memfd), so that a peer cannot shrink it. */
    public boolean sealed() {
        return sealed;
    }

    @Override
    public void close() throws SysException {
        if (!arena.scope().isAlive()) {
            return;
        }
        long address = segment.address();
        arena.close();
        try {
            Sys.call("munmap(" + size + " bytes)", Sys.MUNMAP, MemorySegment.ofAddress(address), size);
        } finally {
            Sys.close(fd);
        }
    }
}
