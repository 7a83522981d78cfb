package dev.jdm.host.hw;

import dev.jdm.hw.emu.PciConfigSpace;

/** The walk of a config space's capability list, bounded so that a looping list ends. */
final class Capabilities {
    /** Reads {@code size} bytes at an offset of config space. */
    @FunctionalInterface
    interface ConfigReader {
        int read(int offset, int size);
    }

    private static final int MAX_CAPABILITIES = 48;
    private static final int STATUS_CAP_LIST = 0x10;

    private Capabilities() {}

    /** The offset of the first capability {@code id} at or after {@code from}, or 0. */
    static int find(ConfigReader config, int id, int from) {
        if ((config.read(PciConfigSpace.STATUS, 2) & STATUS_CAP_LIST) == 0) {
            return 0;
        }
        int at = config.read(PciConfigSpace.CAPABILITIES, 1) & 0xfc;
        for (int i = 0; i < MAX_CAPABILITIES && at >= 0x40; i++) {
            if (at >= from && (config.read(at, 1) & 0xff) == id) {
                return at;
            }
            at = config.read(at + 1, 1) & 0xfc;
        }
        return 0;
    }
}
