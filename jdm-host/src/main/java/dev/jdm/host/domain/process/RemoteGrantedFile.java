package dev.jdm.host.domain.process;

import dev.jdm.abi.grant.GrantedFile;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/** A granted file in a domain: I/O on the received descriptor; closing it also tells the host to close its copy. */
final class RemoteGrantedFile implements GrantedFile {
    private final GrantedFile file;
    private final Runnable closed;
    private final AtomicBoolean open = new AtomicBoolean(true);

    RemoteGrantedFile(GrantedFile file, Runnable closed) {
        this.file = file;
        this.closed = closed;
    }

    @Override
    public String path() {
        return file.path();
    }

    @Override
    public boolean readOnly() {
        return file.readOnly();
    }

    @Override
    public boolean direct() {
        return file.direct();
    }

    @Override
    public boolean blockDevice() {
        return file.blockDevice();
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public int descriptor() {
        return file.descriptor();
    }

    @Override
    public long nextData(long offset) {
        return file.nextData(offset);
    }

    @Override
    public long nextHole(long offset) {
        return file.nextHole(offset);
    }

    @Override
    public void pread(MemorySegment dst, long offset) {
        file.pread(dst, offset);
    }

    @Override
    public void pwrite(MemorySegment src, long offset) {
        file.pwrite(src, offset);
    }

    @Override
    public void fsync() {
        file.fsync();
    }

    @Override
    public void fdatasync() {
        file.fdatasync();
    }

    @Override
    public boolean punchHole(long offset, long length) {
        return file.punchHole(offset, length);
    }

    /** Closes the domain's descriptor only; the host closes (and reports) its own when the module goes. */
    void closeHere() {
        if (open.compareAndSet(true, false)) {
            file.close();
        }
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            file.close();
            closed.run();
        }
    }
}
