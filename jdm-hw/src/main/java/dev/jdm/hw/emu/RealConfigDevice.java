package dev.jdm.hw.emu;

import dev.jdm.hw.alias.Modalias;
import dev.jdm.hw.pci.PciDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A real PCI function's config space put on the board read-only: what a driver may be granted of a
 * device that the machine's kernel owns. Reads go to sysfs's {@code config} file as they happen
 * (so status bits are live); bytes past what the kernel lets this process read (64 without
 * CAP_SYS_ADMIN) read as all ones, as an absent register does. It decodes no BARs and raises no
 * interrupts: its registers stay the kernel driver's.
 */
public final class RealConfigDevice implements EmulatedDevice, AutoCloseable {
    private final PciDevice device;
    private final PciIdentity identity;
    private final FileChannel config;
    private final long readable;
    private final Faults faults = new Faults();

    /**
     * @param deviceDir the device's sysfs directory ({@code /sys/bus/pci/devices/0000:00:02.0})
     * @throws IOException if its config file cannot be opened
     */
    public RealConfigDevice(PciDevice device, Path deviceDir) throws IOException {
        this.device = device;
        PciDevice.Subsystem sub = device.subsystem().orElse(new PciDevice.Subsystem(0, 0));
        this.identity = new PciIdentity(device.vendor(), device.device(), sub.vendor(), sub.device(),
                device.pciClass().base() << 16 | device.pciClass().sub() << 8 | device.pciClass().progIf(), device.revision().orElse(0));
        this.config = FileChannel.open(deviceDir.resolve("config"), StandardOpenOption.READ);
        this.readable = config.size();
    }

    /** The real device's address, e.g. {@code 0000:00:02.0}. */
    public String address() {
        return device.address().toString();
    }

    /** Its modalias as the kernel writes it. */
    public String modalias() {
        return Modalias.pci(device);
    }

    @Override
    public PciIdentity identity() {
        return identity;
    }

    @Override
    public List<BarSpec> bars() {
        return List.of();
    }

    @Override
    public int configRead(int offset, int size) {
        if (offset < 0 || offset + size > 4096) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b.limit(size);
        try {
            int n = offset < readable ? config.read(b, offset) : 0;
            for (int i = Math.max(n, 0); i < size; i++) {
                b.put(i, (byte) 0xff);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading config of " + address() + " at 0x" + Integer.toHexString(offset), e);
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (b.get(i) & 0xff);
        }
        return (int) v;
    }

    /** Never reached: the board refuses writes to a read-only config space before they get here. */
    @Override
    public void configWrite(int offset, int size, int value) {}

    @Override
    public long barRead(int bar, long offset, int size) {
        return -1L;
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {}

    @Override
    public void plug(BoardPort port) {}

    @Override
    public void unplug() {}

    @Override
    public Faults faults() {
        return faults;
    }

    @Override
    public boolean configReadOnly() {
        return true;
    }

    @Override
    public void close() throws IOException {
        config.close();
    }
}
