package dev.jdm.host.hw;

import dev.jdm.abi.LogLevel;
import dev.jdm.abi.hw.HwDriver;
import dev.jdm.abi.mem.Kmem;
import dev.jdm.host.log.LogRing;
import dev.jdm.host.module.Fnmatch;
import java.util.List;

/** A module's registered driver: its name, the pci aliases modpost wrote from its ID table, and its memory. */
record DriverRegistration(String module, List<String> aliases, HwDriver driver, Kmem kmem, LogRing log) {
    /** Whether one of the aliases matches {@code modalias}, with the fnmatch rules of modprobe. */
    boolean matches(String modalias) {
        return aliases.stream().anyMatch(a -> Fnmatch.matches(a, modalias));
    }

    void log(LogLevel level, String message) {
        log.append(level, module, message);
    }
}
