package dev.jdm.drivers.chrmem;

import dev.jdm.abi.DriverModule;
import dev.jdm.abi.LoadableModule;
import dev.jdm.abi.ModuleContext;
import dev.jdm.abi.chr.CharDevice;
import dev.jdm.abi.chr.CharLayer;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's memory devices (drivers/char/mem.c) with their numbers: null (1:3), zero (1:5),
 * full (1:7), urandom (1:9) and kmsg (1:11), the host's log ring.
 */
@DriverModule(name = "chr-mem", version = "1.0", license = "GPL", author = "jdm developers",
        description = "Memory character devices: null, zero, full, urandom, kmsg")
public final class ChrMem implements LoadableModule {
    private final List<CharDevice> nodes = new ArrayList<>();

    public ChrMem(ModuleContext ctx) {
        CharLayer chr = ctx.chr();
        nodes.add(chr.device("null").number(1, 3).mode(0666).register(open -> new Null()));
        nodes.add(chr.device("zero").number(1, 5).mode(0666).register(open -> new Zero()));
        nodes.add(chr.device("full").number(1, 7).mode(0666).register(open -> new Full()));
        Urandom.Source random = new Urandom.Source();
        nodes.add(chr.device("urandom").number(1, 9).mode(0666).register(open -> new Urandom(random)));
        // 0600 and the host's uid, as Linux's /dev/kmsg under dmesg_restrict: the log holds paths and uids
        CharDevice kmsg = chr.device("kmsg").number(1, 11).mode(0600).register(open -> new Kmsg(chr.hostLog(), ctx.log()));
        chr.hostLog().subscribe(kmsg::wake);
        nodes.add(kmsg);
    }

    @Override
    public void close() {
        nodes.forEach(CharDevice::remove);
    }
}
