package dev.jdm.host.export;

import java.util.List;
import java.util.Optional;

/** Where exportable devices come from by name: the block layer's LUs, adapted. */
public interface DeviceSource {
    /** The device called {@code name}, if there is one. */
    Optional<ExportableDevice> find(String name);

    /** Names of the devices available. */
    List<String> names();

    /** No devices. */
    DeviceSource NONE = new DeviceSource() {
        @Override
        public Optional<ExportableDevice> find(String name) {
            return Optional.empty();
        }

        @Override
        public List<String> names() {
            return List.of();
        }
    };
}
