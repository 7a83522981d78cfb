package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharOpen;

/** What a driver's open sees. */
record OpenRequest(int flags, int uid, int gid, int pid, CharDevice device) implements CharOpen {}
