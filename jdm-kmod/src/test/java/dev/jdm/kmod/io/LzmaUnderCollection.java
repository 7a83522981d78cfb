package dev.jdm.kmod.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Inflates a directory's .ko.xz files over and over through one scratch while another thread
 * keeps the young generation churning, so that the JIT compiles the decoder and collections
 * (and the cleaners of unreachable mapped buffers) run during native calls. Run by {@link LzmaTest}.
 */
public final class LzmaUnderCollection {
    private LzmaUnderCollection() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> modules;
        try (Stream<Path> s = Files.walk(Path.of(args[0]))) {
            modules = s.filter(p -> p.toString().endsWith(".ko.xz")).sorted().toList();
        }
        int count = Integer.parseInt(args[1]);
        Thread.ofPlatform().daemon().start(() -> {
            List<byte[]> garbage = new ArrayList<>();
            while (true) {
                garbage.add(new byte[1 << 16]);
                if (garbage.size() > 200) {
                    garbage.clear();
                }
            }
        });
        long checksum = 0;
        try (ModuleFile.Scratch scratch = new ModuleFile.Scratch()) {
            for (int i = 0; i < count; i++) {
                checksum += ModuleFile.open(modules.get(i % modules.size()), scratch).contents().getInt(0);
            }
        }
        System.out.println("inflated " + count + " modules, checksum " + checksum);
    }
}
