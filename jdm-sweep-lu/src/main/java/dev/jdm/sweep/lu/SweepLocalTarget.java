package dev.jdm.sweep.lu;

import dev.jdm.sweep.SweepException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A file or block device named on the command line of a standalone {@code jdm sweep}, as Linux
 * describes it: type, size and logical block size ({@code /sys/class/block}), model and serial where
 * the device reports them, and whether the system is using it (mounted, swap, held by device mapper
 * or md, backing a loop device). Nothing here opens the target; the host's grant does that.
 *
 * @param name the target's name: the path made absolute, as given (symbolic links are kept)
 * @param real the path with links resolved
 * @param sysfs {@code /sys/class/block/NAME} of a block device, else null
 */
record SweepLocalTarget(String name, Path real, boolean blockDevice, boolean partition, long size, int blockSize,
        Optional<String> model, Optional<String> serial, Path sysfs) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFBLK = 0060000;
    private static final Path SYS_BLOCK = Path.of("/sys/class/block");
    /** The block sizes filedisk serves. */
    private static final Set<Integer> BLOCK_SIZES = Set.of(512, 4096);

    /** The name a path argument is known by: absolute and normalised, links kept. */
    static String nameOf(String arg) {
        return Path.of(arg).toAbsolutePath().normalize().toString();
    }

    /**
     * Looks at a path argument.
     *
     * @throws SweepException ENOENT (missing), EISDIR (a directory), EINVAL (neither a file nor a
     *     block device, empty, or a size that is not whole blocks)
     */
    static SweepLocalTarget inspect(String arg) {
        return inspect(arg, 512);
    }

    /** Looks at a path argument; a regular file is given {@code fileBlockSize}-byte blocks. */
    static SweepLocalTarget inspect(String arg, int fileBlockSize) {
        String name = nameOf(arg);
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            throw new SweepException("ENOENT", arg + ": no such file or block device");
        }
        if (Files.isDirectory(p)) {
            throw new SweepException("EISDIR", arg + ": is a directory; name a file or a block device");
        }
        int type;
        Path real;
        try {
            real = p.toRealPath();
            type = (Integer) Files.getAttribute(real, "unix:mode") & S_IFMT;
        } catch (IOException e) {
            throw new SweepException("EACCES", arg + ": cannot look at it: " + e.getMessage());
        }
        if (type == S_IFREG) {
            long size;
            try {
                size = Files.size(real);
            } catch (IOException e) {
                throw new SweepException("EIO", arg + ": cannot read its size: " + e.getMessage());
            }
            return checked(arg, new SweepLocalTarget(name, real, false, false, size, fileBlockSize, Optional.empty(), Optional.empty(), null));
        }
        if (type != S_IFBLK) {
            throw new SweepException("EINVAL", arg + ": is neither a regular file nor a block device");
        }
        Path sys = SYS_BLOCK.resolve(real.getFileName().toString());
        boolean partition = Files.exists(sys.resolve("partition"));
        Path disk = partition ? resolved(sys).getParent() : sys; // a partition's directory sits in its disk's
        long sectors = read(sys.resolve("size")).map(Long::parseLong).orElse(-1L);
        int bs = read(disk.resolve("queue/logical_block_size")).map(Integer::parseInt).orElse(512);
        Optional<String> model = read(disk.resolve("device/model"));
        Optional<String> serial = read(disk.resolve("serial")).or(() -> read(disk.resolve("device/serial"))).or(() -> vpdSerial(disk));
        return checked(arg, new SweepLocalTarget(name, real, true, partition, sectors * 512, bs, model, serial, sys));
    }

    private static SweepLocalTarget checked(String arg, SweepLocalTarget t) {
        if (t.size() <= 0) {
            throw new SweepException("EINVAL", arg + ": is empty; there is nothing to sweep");
        }
        if (!BLOCK_SIZES.contains(t.blockSize())) {
            throw new SweepException("EINVAL", arg + ": logical block size " + t.blockSize() + " is neither 512 nor 4096");
        }
        if (t.size() % t.blockSize() != 0) {
            throw new SweepException("EINVAL", arg + ": size " + t.size() + " is not a multiple of its " + t.blockSize()
                    + "-byte block; refusing to guess about the tail");
        }
        return t;
    }

    /** Why the system is using the target, or empty: mounted, swap, held by another device, backing a loop device. */
    Optional<String> inUse() {
        List<String> why = new ArrayList<>();
        if (blockDevice) {
            List<Path> devs = new ArrayList<>(List.of(sysfs));
            if (!partition) {
                devs.addAll(partitions());
            }
            for (Path d : devs) {
                String label = d.equals(sysfs) ? "" : d.getFileName() + " ";
                read(d.resolve("dev")).ifPresent(majMin -> mountPoint(majMin).ifPresent(m -> why.add(label + "mounted on " + m)));
                holders(d).forEach(h -> why.add(label + "held by " + h));
                if (swaps().contains(d.getFileName().toString())) {
                    why.add(label + "used as swap");
                }
            }
        } else {
            loopBacked().ifPresent(l -> why.add("backs loop device " + l));
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    private List<Path> partitions() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(resolved(sysfs))) {
            for (Path d : ds) {
                if (Files.exists(d.resolve("partition"))) {
                    out.add(SYS_BLOCK.resolve(d.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            // no partitions to look at
        }
        return out;
    }

    private static List<String> holders(Path dev) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dev.resolve("holders"))) {
            ds.forEach(h -> out.add(h.getFileName().toString()));
        } catch (IOException e) {
            // none
        }
        return out;
    }

    /** The mount point of the device {@code major:minor}, from /proc/self/mountinfo (field 3). */
    private static Optional<String> mountPoint(String majMin) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[2].equals(majMin)) {
                    return Optional.of(f[4]);
                }
            }
        } catch (IOException e) {
            // cannot tell
        }
        return Optional.empty();
    }

    private static List<String> swaps() {
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/swaps"))) {
                String first = line.split("\\s+")[0];
                if (first.startsWith("/dev/")) {
                    out.add(Path.of(first).getFileName().toString());
                }
            }
        } catch (IOException e) {
            // cannot tell
        }
        return out;
    }

    private Optional<String> loopBacked() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            for (Path l : ds) {
                Optional<String> backing = read(l.resolve("loop/backing_file"));
                if (backing.isPresent() && backing.get().equals(real.toString())) {
                    return Optional.of("/dev/" + l.getFileName());
                }
            }
        } catch (IOException e) {
            // cannot tell
        }
        return Optional.empty();
    }

    /** SCSI VPD page 0x80 (unit serial number): a 4-byte header whose last byte is the length, then ASCII. */
    private static Optional<String> vpdSerial(Path disk) {
        try {
            byte[] b = Files.readAllBytes(disk.resolve("device/vpd_pg80"));
            int len = b.length >= 4 ? Math.min(b[3] & 0xff, b.length - 4) : 0;
            String s = new String(b, 4, len, StandardCharsets.US_ASCII).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path resolved(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static Optional<String> read(Path p) {
        try {
            String s = Files.readString(p).strip();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
