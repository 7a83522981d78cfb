package dev.jdm.drivers.chrinput;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.Param;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.grant.GrantedStream;

/**
 * Raw input devices: kbd0 (13:64, evdev's first event node), read as {@code struct input_event}s.
 * Its input comes from a Linux evdev node granted by the host when the {@code evdev} parameter
 * names one ({@link EvdevSource}), and always from the emulated keyboard fed through its typed calls.
 */
@DriverModule(name = "chr-input", version = "1.1", license = "GPL", author = "jdm developers",
        description = "Raw input: kbd0, read as evdev events, from a granted evdev node and an emulated keyboard fed through typed calls")
@Param(name = "evdev", defaultValue = "", description = "absolute path of a Linux evdev node to read kbd0's input from (opened by the host); empty: the emulated keyboard only")
public final class ChrInput implements LoadableModule {
    private final CharDevice kbd0;
    private final GrantedStream evdev;

    public ChrInput(ModuleContext ctx) {
        Kbd kbd = new Kbd();
        kbd0 = ctx.chr().device("kbd0").number(13, 64).mode(0660).calls(Keyboard.class, kbd).register(kbd);
        kbd.device(kbd0);
        String node = ctx.params().string("evdev");
        try {
            // a node that cannot be granted refuses the load with the grant's error, which names it
            evdev = node == null || node.isEmpty() ? null : ctx.block().grants().stream("evdev", new EvdevSource(node, kbd, ctx.log()));
        } catch (RuntimeException e) {
            kbd0.remove();
            throw e;
        }
        ctx.log().info("kbd0: " + (evdev == null ? "" : "reads " + node + " and an ") + "emulated keyboard (feed it: jdm dev call kbd0 type --json '{\"text\": \"hi\"}')");
    }

    @Override
    public void close() {
        if (evdev != null) {
            evdev.close();
        }
        kbd0.remove();
    }
}
