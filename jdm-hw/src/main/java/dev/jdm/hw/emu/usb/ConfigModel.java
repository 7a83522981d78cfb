package dev.jdm.hw.emu.usb;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a configuration descriptor set says the device has: its interfaces (alternate setting 0,
 * the only one emulated) and their endpoints. Read from the device's own descriptors, so the
 * descriptors are the one place where endpoints are declared.
 */
final class ConfigModel {
    /** One endpoint of alternate setting 0 of an interface. */
    record EndpointInfo(int address, int type, int maxPacket, int interfaceNumber) {}

    private final int value;
    private final Map<Integer, List<EndpointInfo>> interfaces;
    private final Map<Integer, EndpointInfo> endpoints;

    private ConfigModel(int value, Map<Integer, List<EndpointInfo>> interfaces, Map<Integer, EndpointInfo> endpoints) {
        this.value = value;
        this.interfaces = interfaces;
        this.endpoints = endpoints;
    }

    /** Walks a whole configuration descriptor set (§9.6.3–9.6.6). */
    static ConfigModel parse(byte[] d) {
        if (d.length < Ch9.CONFIGURATION_LENGTH || d[1] != Ch9.DT_CONFIGURATION || le16(d, 2) != d.length) {
            throw new IllegalArgumentException("not a whole configuration descriptor set: " + d.length + " bytes");
        }
        Map<Integer, List<EndpointInfo>> interfaces = new LinkedHashMap<>();
        Map<Integer, EndpointInfo> endpoints = new LinkedHashMap<>();
        int iface = -1;
        boolean altZero = false;
        for (int at = 0; at < d.length; at += d[at] & 0xff) {
            int len = d[at] & 0xff;
            if (len < 2 || at + len > d.length) {
                throw new IllegalArgumentException("descriptor at offset " + at + " has bLength " + len);
            }
            int type = d[at + 1] & 0xff;
            if (type == Ch9.DT_INTERFACE) {
                iface = d[at + 2] & 0xff;
                altZero = d[at + 3] == 0;
                if (altZero) {
                    interfaces.put(iface, new ArrayList<>());
                }
            } else if (type == Ch9.DT_ENDPOINT && altZero) {
                EndpointInfo e = new EndpointInfo(d[at + 2] & 0xff, d[at + 3] & 3, le16(d, at + 4) & 0x7ff, iface);
                interfaces.get(iface).add(e);
                endpoints.put(e.address(), e);
            }
        }
        if (interfaces.size() != (d[4] & 0xff)) {
            throw new IllegalArgumentException("bNumInterfaces is " + (d[4] & 0xff) + " but " + interfaces.size() + " interfaces are described");
        }
        interfaces.replaceAll((k, v) -> List.copyOf(v));
        return new ConfigModel(d[5] & 0xff, Collections.unmodifiableMap(interfaces), Collections.unmodifiableMap(endpoints));
    }

    /** bConfigurationValue. */
    int value() {
        return value;
    }

    boolean hasInterface(int number) {
        return interfaces.containsKey(number);
    }

    List<EndpointInfo> endpointsOf(int iface) {
        return interfaces.getOrDefault(iface, List.of());
    }

    /** The endpoint with this address, or null. */
    EndpointInfo endpoint(int address) {
        return endpoints.get(address);
    }

    Iterable<EndpointInfo> endpoints() {
        return endpoints.values();
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}
