package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwBinding;
import dev.jdm.abi.hw.HwException;
import dev.jdm.abi.hw.Urb;
import dev.jdm.abi.hw.UrbCallback;
import dev.jdm.abi.hw.UsbEndpoint;
import dev.jdm.abi.hw.UsbInterface;
import dev.jdm.hw.emu.usb.SetupPacket;
import dev.jdm.hw.emu.usb.Transfer;
import dev.jdm.hw.emu.usb.TransferStatus;
import dev.jdm.hw.emu.usb.UsbStall;
import dev.jdm.hw.emu.usb.UsbTransferException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An interface of a USB device as its bound driver sees it: control transfers addressed to it,
 * its endpoints, and the URBs submitted on them, all revoked together when the binding ends.
 * Interfaces it claims share its binding and its revocation.
 */
final class BoundUsbInterface implements UsbInterface {
    private static final int SET_ADDRESS = 5, SET_CONFIGURATION = 9;

    private final UsbBus bus;
    private final UsbSlot slot;
    private final UsbDescriptors.Interface intf;
    private final UsbRegistration driver;
    private final GrantCheck grants;
    private final BoundUsbInterface owner;
    private final List<BoundUsbInterface> claimed = new ArrayList<>();
    private final Set<HostUrb> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean live = true;
    private HwBinding binding;

    BoundUsbInterface(UsbBus bus, UsbSlot slot, UsbDescriptors.Interface intf, UsbRegistration driver, GrantCheck grants, BoundUsbInterface owner) {
        this.bus = bus;
        this.slot = slot;
        this.intf = intf;
        this.driver = driver;
        this.grants = grants;
        this.owner = owner;
    }

    void bind(HwBinding b) {
        binding = b;
    }

    HwBinding binding() {
        return binding;
    }

    UsbRegistration driver() {
        return driver;
    }

    /** The binding that claimed this interface, or null if it is bound in its own right. */
    BoundUsbInterface owner() {
        return owner;
    }

    int interfaceNumber() {
        return intf.number();
    }

    List<BoundUsbInterface> claimedInterfaces() {
        return List.copyOf(claimed);
    }

    void warn(String message) {
        driver.log(LogLevel.WARNING, message);
    }

    void grant() {
        try {
            grants.check(driver.module(), "usb", name(), 0, 0);
        } catch (RuntimeException e) {
            String msg = name() + ": usb " + name() + " refused by resource_grant: " + e.getMessage();
            warn(msg);
            throw new HwException(HwException.EACCES, msg);
        }
    }

    /** Ends the grants: URBs still pending are cancelled (their callbacks run with -ENOENT, or -ENODEV if the device went). */
    void revoke() {
        live = false;
        for (HostUrb u : List.copyOf(pending)) {
            u.cancel();
        }
        claimed.forEach(BoundUsbInterface::revoke);
    }

    private void alive() {
        if (!live || !slot.present()) {
            throw new HwException(HwException.ENODEV, name() + " is gone");
        }
    }

    @Override
    public String name() {
        return slot.interfaceName(intf.number());
    }

    @Override
    public String modalias() {
        return slot.modalias(intf);
    }

    @Override
    public boolean present() {
        return live && slot.present();
    }

    @Override
    public int number() {
        return intf.number();
    }

    @Override
    public int interfaceClass() {
        return intf.interfaceClass();
    }

    @Override
    public int interfaceSubClass() {
        return intf.interfaceSubClass();
    }

    @Override
    public int interfaceProtocol() {
        return intf.interfaceProtocol();
    }

    @Override
    public int vendor() {
        return slot.descriptor.vendor();
    }

    @Override
    public int product() {
        return slot.descriptor.product();
    }

    @Override
    public byte[] descriptors() {
        return slot.configuration.raw().clone();
    }

    @Override
    public String string(int index) {
        if (index < 0 || index > 255) {
            throw new HwException(HwException.EINVAL, name() + ": string index " + index + " is not a byte");
        }
        return slot.string(index);
    }

    @Override
    public int control(int requestType, int request, int value, int index, MemorySegment data) {
        alive();
        if ((requestType & 0x60) == 0 && (request == SET_ADDRESS || request == SET_CONFIGURATION)) {
            throw new HwException(HwException.EPERM, name() + ": request " + request + " changes the device's address or configuration, which the host owns");
        }
        if (data.byteSize() > 0xffff) {
            throw new HwException(HwException.EINVAL, name() + ": a control data stage is at most 65535 bytes, not " + data.byteSize());
        }
        SetupPacket setup;
        try {
            setup = new SetupPacket(requestType, request, value, index, (int) data.byteSize());
        } catch (IllegalArgumentException e) {
            throw new HwException(HwException.EINVAL, name() + ": " + e.getMessage());
        }
        boolean in = (requestType & SetupPacket.DIR_IN) != 0;
        try {
            byte[] answer = slot.device.control(setup, in ? null : data.toArray(ValueLayout.JAVA_BYTE));
            if (in) {
                MemorySegment.copy(MemorySegment.ofArray(answer), 0, data, 0, answer.length);
                return answer.length;
            }
            return (int) data.byteSize();
        } catch (UsbStall e) {
            throw new HwException(HwException.EPIPE, name() + ": the device stalled request 0x" + Integer.toHexString(request) + ": " + e.getMessage());
        } catch (UsbTransferException e) {
            throw new HwException(e.status() == TransferStatus.NO_DEVICE ? HwException.ENODEV : HwException.EIO, name() + ": " + e.getMessage());
        }
    }

    @Override
    public UsbInterface claim(int number) {
        alive();
        if (owner != null) {
            return owner.claim(number);
        }
        return bus.claim(this, slot, number);
    }

    void addClaimed(BoundUsbInterface other) {
        claimed.add(other);
    }

    @Override
    public UsbEndpoint endpoint(int address) {
        alive();
        UsbDescriptors.Endpoint e = intf.endpoints().stream().filter(x -> x.address() == address).findFirst()
                .orElseThrow(() -> new HwException(HwException.ENXIO, String.format("%s has no endpoint 0x%02x", name(), address)));
        if (e.type() != UsbEndpoint.BULK && e.type() != UsbEndpoint.INTERRUPT) {
            throw new HwException(HwException.ENXIO, String.format("%s: endpoint 0x%02x is isochronous, which this bus does not carry", name(), address));
        }
        return new Endpoint(e);
    }

    private final class Endpoint implements UsbEndpoint {
        private final UsbDescriptors.Endpoint e;

        Endpoint(UsbDescriptors.Endpoint e) {
            this.e = e;
        }

        @Override
        public int address() {
            return e.address();
        }

        @Override
        public int type() {
            return e.type();
        }

        @Override
        public int maxPacketSize() {
            return e.maxPacket();
        }

        @Override
        public Urb submit(MemorySegment buffer, int length, UrbCallback done) {
            alive();
            HostUrb urb = new HostUrb(this, done);
            Transfer t;
            try {
                t = new Transfer(e.address(), buffer, length, urb::completed);
            } catch (IllegalArgumentException x) {
                throw new HwException(HwException.EINVAL, name() + ": " + x.getMessage());
            }
            urb.transfer = t;
            pending.add(urb);
            try {
                slot.device.submit(t);
            } catch (UsbTransferException x) {
                pending.remove(urb);
                throw new HwException(HwException.ENODEV, name() + ": " + x.getMessage());
            } catch (IllegalArgumentException | IllegalStateException x) {
                pending.remove(urb);
                throw new HwException(HwException.EINVAL, name() + ": " + x.getMessage());
            }
            return urb;
        }

        @Override
        public void clearHalt() {
            alive();
            try {
                slot.device.control(new SetupPacket(0x02, 1, 0, e.address(), 0), null); // CLEAR_FEATURE(ENDPOINT_HALT)
            } catch (UsbStall x) {
                throw new HwException(HwException.EPIPE, String.format("%s: endpoint 0x%02x: clearing the halt stalled", name(), e.address()));
            } catch (UsbTransferException x) {
                throw new HwException(HwException.ENODEV, name() + ": " + x.getMessage());
            }
        }
    }

    /** A submitted transfer, as the driver holds it. */
    private final class HostUrb implements Urb {
        private final UsbEndpoint endpoint;
        private final UrbCallback done;
        volatile Transfer transfer;

        HostUrb(UsbEndpoint endpoint, UrbCallback done) {
            this.endpoint = endpoint;
            this.done = done;
        }

        @Override
        public UsbEndpoint endpoint() {
            return endpoint;
        }

        @Override
        public boolean cancel() {
            return transfer != null && slot.device.cancel(transfer);
        }

        void completed(TransferStatus status, int actual) {
            pending.remove(this);
            int s = switch (status) {
                case COMPLETED -> 0;
                case STALL -> -HwException.EPIPE;
                case CANCELLED -> -HwException.ENOENT;
                case NO_DEVICE -> -HwException.ENODEV;
                case ERROR -> -HwException.EPROTO;
                case BABBLE -> -HwException.EOVERFLOW;
            };
            try {
                done.complete(this, s, actual);
            } catch (RuntimeException e) {
                warn(name() + ": URB completion threw " + e);
            }
        }
    }
}
