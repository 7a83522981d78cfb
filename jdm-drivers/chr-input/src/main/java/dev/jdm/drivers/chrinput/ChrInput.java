package dev.jdm.drivers.chrinput;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.chr.CharDevice;

/**
 * Raw input devices: kbd0 (13:64, evdev's first event node), an emulated keyboard fed through its
 * typed calls and read as {@code struct input_event}s. (A Linux evdev node granted by the host is
 * not read yet: the emulated source is the only one.)
 */
@DriverModule(name = "chr-input", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Raw input: kbd0, an emulated keyboard fed through typed calls, read as evdev events")
public final class ChrInput implements LoadableModule {
    private final CharDevice kbd0;

    public ChrInput(ModuleContext ctx) {
        Kbd kbd = new Kbd();
        kbd0 = ctx.chr().device("kbd0").number(13, 64).mode(0660).calls(Keyboard.class, kbd).register(kbd);
        kbd.device(kbd0);
        ctx.log().info("kbd0: emulated keyboard (feed it: jdm dev call kbd0 type --json '{\"text\": \"hi\"}')");
    }

    @Override
    public void close() {
        kbd0.remove();
    }
}
