package dev.jdm.host.sys;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Who is at the other end of a loopback TCP connection, from the kernel's own socket table
 * ({@code /proc/net/tcp} and {@code tcp6}, see proc(5)): the peer's socket is the row whose local
 * address is our remote one and whose remote address is our local one, and the row carries its
 * owner's uid. Only loopback peers are looked up: elsewhere the table describes this machine, not
 * the peer's. An unreadable or ambiguous table gives nothing, never a guess.
 */
public final class LoopbackPeers {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** Column of the uid in a socket-table row (after "sl local rem st queues timer retrnsmt"). */
    private static final int UID_COLUMN = 7;

    private LoopbackPeers() {}

    /**
     * The uid owning the peer's end of the connection from {@code remote} to {@code local}.
     *
     * @return empty if the peer is not on loopback, or it cannot be told for certain
     */
    public static OptionalInt uid(InetSocketAddress local, InetSocketAddress remote) {
        if (!remote.getAddress().isLoopbackAddress()) {
            return OptionalInt.empty();
        }
        String peerLocal = encode(remote);
        String peerRemote = encode(local);
        OptionalInt found = OptionalInt.empty();
        for (Path table : TABLES) {
            List<String> rows;
            try {
                rows = Files.readAllLines(table);
            } catch (IOException | SecurityException e) {
                continue;
            }
            for (String row : rows.subList(Math.min(1, rows.size()), rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f.length <= UID_COLUMN || !matches(f[1], peerLocal, remote) || !matches(f[2], peerRemote, local)) {
                    continue;
                }
                int uid = Integer.parseInt(f[UID_COLUMN]);
                if (found.isPresent() && found.getAsInt() != uid) {
                    return OptionalInt.empty();
                }
                found = OptionalInt.of(uid);
            }
        }
        return found;
    }

    /** Compares a table address with ours, also in the IPv4-mapped IPv6 form tcp6 uses for IPv4 peers. */
    private static boolean matches(String tableAddress, String encoded, InetSocketAddress a) {
        return tableAddress.equalsIgnoreCase(encoded) || tableAddress.equalsIgnoreCase(encodeMapped(a));
    }

    /** The kernel's text form: the address as 32-bit words in host (little-endian) order, then the port. */
    static String encode(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return words(b) + ":" + String.format(Locale.ROOT, "%04X", a.getPort());
    }

    private static String encodeMapped(InetSocketAddress a) {
        InetAddress addr = a.getAddress();
        if (!(addr instanceof Inet4Address)) {
            return "";
        }
        byte[] v4 = addr.getAddress();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(v4, 0, mapped, 12, 4);
        return words(mapped) + ":" + String.format(Locale.ROOT, "%04X", a.getPort());
    }

    private static String words(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int w = 0; w < b.length; w += 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(String.format(Locale.ROOT, "%02X", b[w + i]));
            }
        }
        return sb.toString();
    }
}
