package dev.jdm.isolation.confine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a domain may keep: the uid and gid it drops to when started as root ({@code -1}: none given,
 * which refuses to start as root), the paths it may use, its rlimits, and whether it may start on
 * a kernel without Landlock ({@code allowWithoutLandlock}, off by default and logged when used). The
 * host writes the plan; the domain applies it to itself ({@link Confinement}).
 */
public record ConfinementPlan(int uid, int gid, List<Grant> grants, ResourceLimits limits, boolean allowWithoutLandlock, int bindPort) {
    private static final int VERSION = 2;
    private static final int MAX_GRANTS = 256;

    public ConfinementPlan {
        grants = List.copyOf(grants);
        if (grants.size() > MAX_GRANTS) {
            throw new IllegalArgumentException("at most " + MAX_GRANTS + " grants, not " + grants.size());
        }
        if ((uid < 0) != (gid < 0)) {
            throw new IllegalArgumentException("give both uid and gid or neither, not uid " + uid + " gid " + gid);
        }
        if (uid == 0 || gid == 0) {
            throw new IllegalArgumentException("a domain cannot drop to uid or gid 0");
        }
        if (bindPort < 0 || bindPort > 65535) {
            throw new IllegalArgumentException("a TCP port is 1-65535 (0: none), not " + bindPort);
        }
    }

    /** A plan that binds no TCP port (the rule: a domain has no network). */
    public ConfinementPlan(int uid, int gid, List<Grant> grants, ResourceLimits limits, boolean allowWithoutLandlock) {
        this(uid, gid, grants, limits, allowWithoutLandlock, 0);
    }

    /** The same plan with other grants. */
    public ConfinementPlan withGrants(List<Grant> other) {
        return new ConfinementPlan(uid, gid, other, limits, allowWithoutLandlock, bindPort);
    }

    /**
     * The same plan, letting the domain bind one TCP port (a debugger's agent, on loopback); it may
     * still connect nowhere.
     */
    public ConfinementPlan withBindPort(int port) {
        return new ConfinementPlan(uid, gid, grants, limits, allowWithoutLandlock, port);
    }

    /** The plan as bytes for the control channel. */
    public byte[] encode() {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeInt(uid);
            out.writeInt(gid);
            out.writeInt(grants.size());
            for (Grant g : grants) {
                out.writeUTF(g.path().toString());
                out.writeByte(g.access().ordinal());
            }
            out.writeLong(limits.addressSpace());
            out.writeLong(limits.openFiles());
            out.writeLong(limits.tasks());
            out.writeBoolean(allowWithoutLandlock);
            out.writeInt(bindPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Reads a plan written by {@link #encode}; a malformed one is refused naming what is wrong. */
    public static ConfinementPlan decode(byte[] data) throws IOException {
        try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("confinement plan version " + version + ", expected " + VERSION);
            }
            int uid = in.readInt();
            int gid = in.readInt();
            int n = in.readInt();
            if (n < 0 || n > MAX_GRANTS) {
                throw new IOException("confinement plan lists " + n + " grants, at most " + MAX_GRANTS);
            }
            List<Grant> grants = new ArrayList<>(n);
            Grant.Access[] kinds = Grant.Access.values();
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                int k = in.readUnsignedByte();
                if (k >= kinds.length) {
                    throw new IOException("confinement plan grant " + path + " has access " + k + ", expected 0.." + (kinds.length - 1));
                }
                grants.add(new Grant(Path.of(path), kinds[k]));
            }
            ResourceLimits limits = new ResourceLimits(in.readLong(), in.readLong(), in.readLong());
            boolean optOut = in.readBoolean();
            int port = in.readInt();
            if (in.available() != 0) {
                throw new IOException("confinement plan has " + in.available() + " bytes after its end");
            }
            return new ConfinementPlan(uid, gid, grants, limits, optOut, port);
        } catch (IllegalArgumentException e) {
            throw new IOException("confinement plan refused: " + e.getMessage(), e);
        }
    }
}
