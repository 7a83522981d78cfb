package dev.jdm.host.chr;

import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharException;
import dev.jdm.abi.chr.CharLayer;
import dev.jdm.abi.chr.CharStatus;
import dev.jdm.abi.chr.HostLog;

/** A character layer that refuses everything with EOPNOTSUPP, where none is served (an isolated domain, for now). */
public record UnsupportedCharLayer(String module, String where) implements CharLayer {
    @Override
    public CharDevice.Builder device(String name) {
        throw refusal("char device " + name);
    }

    @Override
    public HostLog hostLog() {
        throw refusal("the host log");
    }

    private CharException refusal(String what) {
        return new CharException(CharStatus.EOPNOTSUPP, module + ": " + what + ": character devices are not served " + where + " yet");
    }
}
