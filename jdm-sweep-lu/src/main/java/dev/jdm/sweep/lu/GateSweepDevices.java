package dev.jdm.sweep.lu;

import dev.jdm.gate.GateClient;
import com.google.protobuf.ByteString;
import dev.jdm.gate.Frames;
import dev.jdm.gate.proto.BlkLsCall;
import dev.jdm.gate.proto.BlkLu;
import dev.jdm.gate.proto.Request;
import dev.jdm.gate.proto.Response;
import dev.jdm.gate.proto.BlkCloseCall;
import dev.jdm.gate.proto.BlkIoCall;
import dev.jdm.gate.proto.BlkIoReply;
import dev.jdm.gate.proto.BlkOpenCall;
import dev.jdm.sweep.DeviceInfo;
import dev.jdm.sweep.SweepDevice;
import dev.jdm.sweep.SweepDevices;
import dev.jdm.sweep.SweepException;
import dev.jdm.sweep.SweepPlan;
import dev.jdm.sweep.Sizes;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A running host's LUs through the call gate: {@code blk_ls} lists them, {@code sweep_open} opens
 * one as this connection's task (dev_open, then blk_io on each request), {@code sweep_io} moves the
 * data in pieces that fit a gate frame. The handles live as long as the connection, which this
 * object owns: closing it (or the process dying) releases them all in the host.
 */
public final class GateSweepDevices implements SweepDevices, AutoCloseable {
    /** Bytes per I/O call: the engine's 8 MiB chunks in one call, within the host's limit. */
    static final int IO_CHUNK = Math.min(8 << 20, Frames.MAX_BLK_IO);

    private final GateClient gate;
    private final Map<String, Integer> mine = new ConcurrentHashMap<>();

    public GateSweepDevices(GateClient gate) {
        this.gate = gate;
    }

    /** The host refused a call: its errno is the host's answer, never a mistake on the command line (exit 1). */
    public static final class HostRefusal extends SweepException {
        private static final long serialVersionUID = 1L;

        HostRefusal(String errno, String message) {
            super(errno, message);
        }
    }

    /** One call at a time on the shared connection; an error response becomes a SweepException with the host's errno. */
    private Response call(Request.Builder r) {
        Response resp;
        synchronized (gate) {
            resp = gate.exchange(r);
        }
        if (resp.hasError()) {
            throw new HostRefusal(resp.getError().getCode(), resp.getError().getMessage());
        }
        return resp;
    }

    private List<BlkLu> lus() {
        return call(Request.newBuilder().setBlkLs(BlkLsCall.getDefaultInstance())).getBlkLs().getLusList();
    }

    private Optional<String> usage(String name) {
        List<SweepLuUsage.View> views = lus().stream()
                .map(l -> new SweepLuUsage.View(l.getName(), l.getDisk(), l.getHoldersList(), l.getOpenCount())).toList();
        return SweepLuUsage.reason(name, views, mine);
    }

    @Override
    public List<DeviceInfo> list() {
        List<BlkLu> all = lus();
        List<SweepLuUsage.View> views = all.stream()
                .map(l -> new SweepLuUsage.View(l.getName(), l.getDisk(), l.getHoldersList(), l.getOpenCount())).toList();
        return all.stream().map(l -> {
            LuSweepDevice.Facts f = facts(l);
            return new DeviceInfo(f.name(), f.size(), f.blockSize(), f.whole(), f.whole() ? f.guard() : 0, f.readOnly(), f.model(),
                    f.serial(), f.label(), f.uuid(), f.table(), SweepLuUsage.reason(l.getName(), views, mine), f.writeZeroes());
        }).toList();
    }

    static LuSweepDevice.Facts facts(BlkLu l) {
        boolean whole = l.getDisk().isEmpty();
        return new LuSweepDevice.Facts(l.getName(), l.getName(), l.getSize(), l.getLogicalBlockSize(), whole, l.getBootGuard(),
                l.getReadOnly(), l.getCapabilitiesList().contains("write-zeroes"), Optional.empty(), Optional.empty(),
                optional(l.getLabel()), optional(l.getUuid()), whole && !l.getTable().equals("none") ? optional(l.getTable()) : Optional.empty());
    }

    private static Optional<String> optional(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public SweepDevice open(String name, boolean writable) {
        dev.jdm.gate.proto.BlkOpenReply reply;
        try {
            reply = call(Request.newBuilder().setBlkOpen(BlkOpenCall.newBuilder().setName(name).setWrite(writable))).getBlkOpen();
        } catch (SweepException e) {
            if (e.errno().equals("ENOENT") && java.nio.file.Files.exists(java.nio.file.Path.of(name))) {
                throw new SweepException("ENOENT", e.getMessage() + "; for the file " + name + " here, write ./" + name);
            }
            throw e;
        }
        mine.merge(name, 1, Integer::sum);
        Device d = new Device(facts(reply.getLu()), reply.getHandle());
        if (writable && d.readOnly()) {
            d.close();
            throw new SweepException("EROFS", name + ": the device is read-only");
        }
        return d;
    }

    /**
     * A running host's guard is its own rule for every writer, and this client does not change
     * it: a whole device whose guard is up is refused, naming who may lower it and how.
     */
    @Override
    public void includeBootArea(SweepDevice device) {
        if (device.wholeDevice() && device.guardLimit() >= SweepPlan.BOOT_AREA) {
            throw new SweepException("EPERM", device.name() + ": the host guards its first " + Sizes.hex(device.guardLimit())
                    + " bytes, and jdm sweep does not lower a running host's guard; its driver or an administrator can"
                    + " (jdm blk guard " + device.name() + " 0, as root or the host's user), then sweep with --include-boot-area;"
                    + " nothing was written");
        }
    }

    @Override
    public void close() {
        gate.close();
    }

    /** One open LU. */
    private final class Device extends LuSweepDevice {
        private final long handle;
        private volatile boolean closed;

        Device(Facts facts, long handle) {
            super(facts);
            this.handle = handle;
        }

        @Override
        public Optional<String> inUseReason() {
            return usage(facts.lu());
        }

        private BlkIoReply io(BlkIoCall.Builder c) {
            BlkIoReply r = call(Request.newBuilder().setBlkIo(c.setHandle(handle))).getBlkIo();
            if (!r.getStatus().isEmpty()) {
                throw new SweepException(r.getStatus(), r.getMessage());
            }
            return r;
        }

        @Override
        public void read(long offset, MemorySegment dst) {
            checkRange(offset, dst.byteSize(), "read");
            for (long done = 0; done < dst.byteSize(); done += IO_CHUNK) {
                int n = (int) Math.min(IO_CHUNK, dst.byteSize() - done);
                ByteString data = io(BlkIoCall.newBuilder().setOp(BlkIoCall.Op.READ).setOffset(offset + done).setLength(n)).getData();
                if (data.size() != n) {
                    throw new SweepException("EIO", name() + ": read at " + (offset + done) + " returned " + data.size() + " of " + n + " bytes");
                }
                MemorySegment.copy(MemorySegment.ofBuffer(data.asReadOnlyByteBuffer()), 0, dst, done, n);
            }
        }

        @Override
        public void write(long offset, MemorySegment src, boolean fua) {
            checkRange(offset, src.byteSize(), "write");
            checkWritable();
            for (long done = 0; done < src.byteSize(); done += IO_CHUNK) {
                int n = (int) Math.min(IO_CHUNK, src.byteSize() - done);
                ByteString data = ByteString.copyFrom(src.asSlice(done, n).asByteBuffer());
                io(BlkIoCall.newBuilder().setOp(BlkIoCall.Op.WRITE).setOffset(offset + done).setLength(n).setData(data).setFua(fua));
            }
        }

        @Override
        public void writeZeroes(long offset, long length) {
            if (!supportsWriteZeroes()) {
                super.writeZeroes(offset, length);
            }
            checkRange(offset, length, "write-zeroes");
            checkWritable();
            io(BlkIoCall.newBuilder().setOp(BlkIoCall.Op.WRITE_ZEROES).setOffset(offset).setLength(length));
        }

        @Override
        public void flush() {
            io(BlkIoCall.newBuilder().setOp(BlkIoCall.Op.FLUSH));
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            mine.merge(facts.lu(), -1, Integer::sum);
            try {
                call(Request.newBuilder().setBlkClose(BlkCloseCall.newBuilder().setHandle(handle)));
            } catch (RuntimeException e) {
                // the connection is gone, and the host closed the handle with it
            }
        }
    }
}
