package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.UsbDriver;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.Fnmatch;
import java.util.List;

/** A module's registered USB driver: its name, the usb aliases modpost wrote from its ID table. */
record UsbRegistration(String module, List<String> aliases, UsbDriver driver, LogRing log) {
    boolean matches(String modalias) {
        return aliases.stream().anyMatch(a -> Fnmatch.matches(a, modalias));
    }

    void log(LogLevel level, String message) {
        log.append(level, module, message);
    }
}
