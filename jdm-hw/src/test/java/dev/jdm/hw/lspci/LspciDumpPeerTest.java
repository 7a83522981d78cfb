package dev.jdm.hw.lspci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jdm.hw.ids.PciIds;
import dev.jdm.hw.pci.ConfigSpace;
import dev.jdm.hw.pci.PciAddress;
import dev.jdm.hw.pci.PciClass;
import dev.jdm.hw.pci.PciDevice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The naming rules against the real lspci on a thousand devices drawn from the real pci.ids:
 * known and unknown vendors, devices, subsystems and classes. lspci reads them from a config-space
 * dump ({@code lspci -F}, the format of {@code lspci -x}), this formatter from the same bytes. The
 * machine's own few devices exercise only a handful of the rules; these reach the rest.
 */
class LspciDumpPeerTest {
    static final Path LSPCI = Path.of("/usr/bin/lspci");
    static final long SEED = 13;

    @TempDir
    static Path tmp;
    static Path dump;
    static PciIds ids;
    static List<PciDevice> devices;

    @BeforeAll
    static void drawDevices() throws Exception {
        assumeTrue(Files.isExecutable(LSPCI), "lspci is not installed (Debian: pciutils)");
        Path db = PciIds.locate().orElseThrow(() -> new AssertionError("lspci is installed but no pci.ids was found"));
        ids = PciIds.load(db);
        Database entries = Database.read(db);
        Random r = new Random(SEED);
        devices = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            byte[] config = config(r, entries, i);
            PciAddress address = new PciAddress(0, i / 256, i / 8 % 32, i % 8);
            devices.add(device(address, config));
            text.append(address.format(false)).append(" x\n");
            for (int row = 0; row < 64; row += 16) {
                text.append(String.format("%02x:", row));
                for (int b = row; b < row + 16; b++) {
                    text.append(String.format(" %02x", config[b] & 0xff));
                }
                text.append('\n');
            }
            text.append('\n');
        }
        dump = Files.writeString(tmp.resolve("dump"), text, StandardCharsets.UTF_8);
    }

    @Test
    void shouldNameAsLspciNnDoes() throws Exception {
        assertThat(new Lspci(ids, IdMode.BOTH, false).lines(devices)).containsExactlyElementsOf(lspci("-nn"));
    }

    @Test
    void shouldNameAsPlainLspciDoes() throws Exception {
        assertThat(new Lspci(ids, IdMode.NAMES, false).lines(devices)).containsExactlyElementsOf(lspci());
    }

    @Test
    void shouldWriteProgIfSubsystemFlagsAndBistAsLspciVDoes() throws Exception {
        assertThat(new Lspci(ids, IdMode.NAMES, true).lines(devices)).containsExactlyElementsOf(lspci("-v"));
        assertThat(new Lspci(ids, IdMode.BOTH, true).lines(devices)).containsExactlyElementsOf(lspci("-v", "-nn"));
    }

    static List<String> lspci(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LSPCI.toString(), "-F", dump.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("lspci %s", cmd).isZero();
        return out.lines().toList();
    }

    /** A device as sysfs would give it for these config bytes: no windows, no driver, the line as IRQ. */
    static PciDevice device(PciAddress address, byte[] bytes) {
        ConfigSpace c = ConfigSpace.of(bytes);
        return new PciDevice(address, c.u16(0), c.u16(2), Optional.of(new PciDevice.Subsystem(c.u16(0x2c), c.u16(0x2e))),
                PciClass.of((int) (c.u32(8) >>> 8)), OptionalInt.of(c.u8(ConfigSpace.REVISION)), c.u8(0x3c), -1, Optional.empty(), List.of(),
                Optional.empty(), Optional.empty(), Optional.of(c));
    }

    /** A type 0 header with IDs, class and subsystem drawn to reach every naming rule. */
    static byte[] config(Random r, Database db, int i) {
        int vendor;
        int device;
        int kind = r.nextInt(10);
        if (kind < 6) {
            int[] d = db.devices.get(r.nextInt(db.devices.size()));
            vendor = d[0];
            device = d[1];
        } else if (kind < 8) {
            vendor = db.vendors.get(r.nextInt(db.vendors.size()));
            device = r.nextInt(0x10000);
        } else {
            vendor = r.nextInt(0x10000);
            device = r.nextInt(0x10000);
        }
        int subVendor;
        int subDevice;
        int sub = r.nextInt(6);
        if (sub == 0) {
            int[] s = db.subsystems.get(r.nextInt(db.subsystems.size()));
            vendor = s[0];
            device = s[1];
            subVendor = s[2];
            subDevice = s[3];
        } else if (sub == 1) {
            subVendor = vendor;
            subDevice = device;
        } else if (sub == 2) {
            subVendor = r.nextBoolean() ? 0 : 0xffff;
            subDevice = r.nextInt(0x10000);
        } else {
            subVendor = r.nextBoolean() ? db.vendors.get(r.nextInt(db.vendors.size())) : r.nextInt(0x10000);
            subDevice = r.nextInt(0x10000);
        }
        int cls = switch (r.nextInt(4)) {
            case 0, 1 -> db.classes.get(r.nextInt(db.classes.size()));
            case 2 -> db.classes.get(r.nextInt(db.classes.size())) & 0xff0000 | r.nextInt(0x10000);
            default -> r.nextInt(0x1000000);
        };
        if (i % 97 == 0) {
            cls = 0x060400 | r.nextInt(0x100);   // a PCI bridge's class in a type 0 header: lspci warns
        }
        byte[] b = new byte[64];
        put16(b, 0, vendor);
        put16(b, 2, device);
        // command and status bits lspci's Flags names (not the capability list: no walk here)
        put16(b, ConfigSpace.COMMAND, r.nextInt(0x800));
        put16(b, ConfigSpace.STATUS, r.nextInt(0x800) & ~0x10);
        b[ConfigSpace.REVISION] = (byte) (r.nextInt(3) == 0 ? 0 : r.nextInt(0x100));
        b[9] = (byte) cls;
        b[10] = (byte) (cls >> 8);
        b[11] = (byte) (cls >> 16);
        b[ConfigSpace.LATENCY_TIMER] = (byte) r.nextInt(0x100);
        b[ConfigSpace.HEADER_TYPE] = (byte) (r.nextBoolean() ? 0x80 : 0);
        b[ConfigSpace.BIST] = (byte) (r.nextInt(4) == 0 ? 0x80 | r.nextInt(0x80) : 0);
        put16(b, 0x2c, subVendor);
        put16(b, 0x2e, subDevice);
        b[0x3c] = (byte) (r.nextBoolean() ? 0 : r.nextInt(0x100));
        return b;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    /** The IDs the real database names, to draw from. */
    record Database(List<Integer> vendors, List<int[]> devices, List<int[]> subsystems, List<Integer> classes) {
        static final Pattern VENDOR = Pattern.compile("^([0-9a-f]{4})  ");
        static final Pattern DEVICE = Pattern.compile("^\t([0-9a-f]{4})  ");
        static final Pattern SUBSYSTEM = Pattern.compile("^\t\t([0-9a-f]{4}) ([0-9a-f]{4})  ");
        static final Pattern CLASS = Pattern.compile("^C ([0-9a-f]{2})  ");
        static final Pattern SUBCLASS = Pattern.compile("^\t([0-9a-f]{2})  ");
        static final Pattern PROGIF = Pattern.compile("^\t\t([0-9a-f]{2})  ");

        static Database read(Path file) throws Exception {
            Database db = new Database(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            int vendor = -1;
            int device = -1;
            int cls = -1;
            int subclass = -1;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Matcher m;
                if ((m = CLASS.matcher(line)).find()) {
                    cls = hex(m, 1);
                    vendor = -1;
                    db.classes.add(cls << 16);
                } else if (cls >= 0 && (m = SUBCLASS.matcher(line)).find()) {
                    subclass = hex(m, 1);
                    db.classes.add(cls << 16 | subclass << 8);
                } else if (cls >= 0 && (m = PROGIF.matcher(line)).find()) {
                    db.classes.add(cls << 16 | subclass << 8 | hex(m, 1));
                } else if ((m = VENDOR.matcher(line)).find()) {
                    vendor = hex(m, 1);
                    cls = -1;
                    db.vendors.add(vendor);
                } else if (vendor >= 0 && (m = DEVICE.matcher(line)).find()) {
                    device = hex(m, 1);
                    db.devices.add(new int[] {vendor, device});
                } else if (vendor >= 0 && (m = SUBSYSTEM.matcher(line)).find()) {
                    db.subsystems.add(new int[] {vendor, device, hex(m, 1), hex(m, 2)});
                }
            }
            return db;
        }

        private static int hex(Matcher m, int group) {
            return Integer.parseInt(m.group(group), 16);
        }
    }
}
