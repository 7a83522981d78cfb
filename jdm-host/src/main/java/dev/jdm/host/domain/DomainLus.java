package dev.jdm.host.domain;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.blk.BlockDevice;
import dev.jdm.abi.blk.BlockLayer;
import dev.jdm.errno.Errno;
import dev.jdm.host.HostException;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.ModuleSite;
import dev.jdm.isolation.channel.ControlChannel;
import dev.jdm.isolation.channel.FdDoorbell;
import dev.jdm.isolation.channel.UnixSocket;
import dev.jdm.isolation.process.DomainProcess;
import dev.jdm.isolation.ring.RegionLayout;
import dev.jdm.isolation.transport.RingTransport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The LUs a domain's modules registered. Each is a host LU like any other, served by a ring
 * ({@link RingLuDriver}) in memory shared with the domain process. The host LU outlives the
 * process: after a restart the module registers it again, and it is re-bound to the new process's
 * ring (same module, name and geometry), its held requests replayed.
 */
final class DomainLus {
    /** Ring geometry per LU: 64 requests in flight, one 256 KiB buffer each. */
    static final RegionLayout LAYOUT = new RegionLayout(64, 64, 256 * 1024);

    /** What a module's REGISTER_LU asked for. */
    record Registration(String lu, long size, int lbs, int pbs, int caps, long guard, boolean extents) {
        boolean sameGeometry(Registration o) {
            return size == o.size && lbs == o.lbs && pbs == o.pbs && caps == o.caps;
        }

        String geometry() {
            return "size " + size + ", blocks " + lbs + "/" + pbs + ", capabilities 0x" + Integer.toHexString(caps);
        }
    }

    private record Lu(String module, BlockDevice device, RingLuDriver driver, Registration registration) {}

    private final String domain;
    private final LogRing log;
    private final Consumer<String> fault;
    private final RingLuDriver.RecoveryListener replayed;
    private final Map<String, Lu> lus = new ConcurrentHashMap<>();
    /** LU names re-bound since the current process was adopted. */
    private final Set<String> rebound = ConcurrentHashMap.newKeySet();

    /**
     * @param fault kills the domain's current process, naming why (a ring that broke its rules)
     * @param replayed told of each LU's first replayed completion after a restart
     */
    DomainLus(String domain, LogRing log, Consumer<String> fault, RingLuDriver.RecoveryListener replayed) {
        this.domain = domain;
        this.log = log;
        this.fault = fault;
        this.replayed = replayed;
    }

    /**
     * A module registers an LU: the ring goes to the domain first (the host's registration reads the
     * partition table through it), then the host registers, on a thread of its own, and answers
     * request {@code id} with LU_REGISTERED. A known LU of the same module is re-bound instead.
     */
    void register(DomainProcess p, long id, ModuleSite s, Registration r) {
        Thread.ofVirtual().name("domain-register-" + r.lu()).start(() -> {
            Lu known = lus.get(r.lu());
            if (known != null && known.module.equals(s.name())) {
                rebind(p, id, known, r);
                return;
            }
            RingLuDriver driver = null;
            try {
                driver = new RingLuDriver(r.lu(), bind(p, id), fault, replayed);
                if (!p.isAlive()) {
                    driver.die();
                }
                BlockDevice.Builder b = s.face(BlockLayer.class).device(r.lu()).size(r.size()).logicalBlockSize(r.lbs())
                        .physicalBlockSize(r.pbs()).capabilities(r.caps()).bootGuard(r.guard());
                if (r.extents()) {
                    b.extents(driver::extents); // asked through the ring, like I/O
                }
                BlockDevice device = b.registerQueue(driver);
                lus.put(r.lu(), new Lu(s.name(), device, driver, r));
                DomainChannel.send(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(0).message("").bytes());
            } catch (IOException | RuntimeException e) {
                if (driver != null) {
                    driver.die();
                    driver.close();
                }
                int errno = e instanceof IllegalStateException ? Errno.EEXIST.number() : e instanceof HostException he ? he.code().number()
                        : e instanceof IOException ? Errno.EIO.number() : Errno.EINVAL.number();
                registered(p, id, errno, e.getMessage());
            }
        });
    }

    /** A fresh ring for one LU, sent to the domain on the LU's own channel; the domain gets its end in LU_ATTACHED. */
    private RingLuDriver.Binding bind(DomainProcess p, long id) throws IOException {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.SOCK_SEQPACKET);
        ControlChannel luChannel = new ControlChannel(pair[0]);
        RingTransport.HostEnd end = RingTransport.offer(luChannel, LAYOUT, FdDoorbell.Kind.EVENTFD, 0, RingLuDriver.CHECK_MS);
        try {
            DomainChannel.send(p, DomainProtocol.LU_ATTACHED, new DomainProtocol.Writer().l(id).i(0).message("").bytes(), pair[1].fd());
        } finally {
            pair[1].close();
        }
        return new RingLuDriver.Binding(end, luChannel);
    }

    /** The restarted module's LU, served again by the host LU it had; a changed geometry is refused and the LU fails. */
    private void rebind(DomainProcess p, long id, Lu known, Registration r) {
        if (!known.registration.sameGeometry(r)) {
            String why = known.module + ": LU " + r.lu() + " came back after the restart with another geometry (" + r.geometry() + "; was "
                    + known.registration.geometry() + "); its I/O fails with EIO";
            log.append(LogLevel.ERR, "domain", domain + ": " + why);
            known.driver.die();
            registered(p, id, Errno.EINVAL.number(), why);
            return;
        }
        try {
            known.driver.rebind(bind(p, id));
            rebound.add(r.lu());
            DomainChannel.send(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(0).message("").bytes());
        } catch (IOException e) {
            registered(p, id, Errno.EIO.number(), e.getMessage());
        }
    }

    private static void registered(DomainProcess p, long id, int errno, String message) {
        DomainChannel.sendQuietly(p, DomainProtocol.LU_REGISTERED, new DomainProtocol.Writer().l(id).i(errno).message(message).bytes());
    }

    /**
     * The module removed its LU. Done on the frame reader, not another thread: the UNLOADED that
     * follows must find the LU gone. Removal waits for requests in flight, which the ring serves,
     * not the control channel.
     */
    void remove(String module, String luName) {
        Lu lu = lus.get(luName);
        if (lu != null && lu.module.equals(module)) {
            lu.device.remove();
            lus.remove(luName, lu);
            lu.driver.close();
        }
    }

    void bootGuard(String module, String luName, long bytes) {
        Lu lu = lus.get(luName);
        if (lu != null && lu.module.equals(module) && bytes >= 0) {
            lu.device.bootGuard(bytes);
        }
    }

    List<String> names() {
        return lus.keySet().stream().sorted().toList();
    }

    boolean isEmpty() {
        return lus.isEmpty();
    }

    /** The first LU that has held requests for more than {@code limitMs} without completing any, as a reason; null if none. */
    String stalled(long limitMs) {
        for (var e : lus.entrySet()) {
            long ms = e.getValue().driver.stalledMillis();
            if (ms > limitMs) {
                return "LU " + e.getKey() + " completed nothing for " + ms + " ms while holding requests (domain.io_stall_ms " + limitMs + ")";
            }
        }
        return null;
    }

    /** A new process was adopted: nothing is re-bound to it yet. */
    void newProcess() {
        rebound.clear();
    }

    /** The process died and a restart follows: requests wait from {@code crashNanos}. */
    void suspend(long crashNanos) {
        lus.values().forEach(lu -> lu.driver.suspend(crashNanos));
    }

    /** Nothing will serve them: requests fail with EIO. */
    void die() {
        lus.values().forEach(lu -> lu.driver.die());
    }

    /** LUs the modules did not register again after a restart: nothing will serve them, so they fail. */
    List<String> failUnbound() {
        List<String> orphans = new ArrayList<>();
        lus.forEach((n, lu) -> {
            if (!rebound.contains(n)) {
                lu.driver.die();
                orphans.add(n);
            }
        });
        return orphans;
    }

    /** The module went: the block layer removed its LUs; their rings close. */
    void forget(String module) {
        lus.values().removeIf(lu -> {
            if (lu.module.equals(module)) {
                lu.driver.close();
                return true;
            }
            return false;
        });
    }

    void close() {
        lus.values().forEach(lu -> lu.driver.close());
    }
}
