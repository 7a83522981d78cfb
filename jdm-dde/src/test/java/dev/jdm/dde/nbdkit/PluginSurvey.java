package dev.jdm.dde.nbdkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tries every Debian plugin under the library with parameters that need nothing from outside this
 * machine, and under nbdkit with the same ones, and prints one table row per plugin for
 * docs/dde-nbdkit.md. Run by hand (it needs mke2fs, a C compiler and a shell, as the plugins do):
 * {@code java --enable-native-access=ALL-UNNAMED -cp ... dev.jdm.dde.nbdkit.PluginSurvey}.
 */
public final class PluginSurvey {
    private PluginSurvey() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("dde-survey-");
        Path img = dir.resolve("disk.img");
        Files.write(img, new byte[1 << 20]);
        Path img2 = dir.resolve("disk2.img");
        Files.write(img2, new byte[1 << 20]);
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("hello.txt"), "hello\n");
        Path ondemand = Files.createDirectories(dir.resolve("ondemand"));
        Path sh = dir.resolve("disk.sh");
        Files.writeString(sh, "#!/bin/sh\ncase \"$1\" in\n get_size) echo 1M ;;\n pread) dd if=/dev/zero count=$3 iflag=count_bytes status=none ;;\n *) exit 2 ;;\nesac\n");
        sh.toFile().setExecutable(true);
        Path cc = dir.resolve("disk.c");
        Files.writeString(cc, """
                #define NBDKIT_API_VERSION 2
                #include <string.h>
                #include <nbdkit-plugin.h>
                #define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL
                static void *o (int ro) { return NBDKIT_HANDLE_NOT_NEEDED; }
                static int64_t s (void *h) { return 1048576; }
                static int r (void *h, void *b, uint32_t c, uint64_t off, uint32_t f) { memset (b, 0, c); return 0; }
                static struct nbdkit_plugin plugin = { .name = "ccdisk", .open = o, .get_size = s, .pread = r };
                NBDKIT_REGISTER_PLUGIN (plugin)
                """);
        Map<String, List<String>> plugins = new LinkedHashMap<>();
        plugins.put("cc", List.of("script=" + cc));
        plugins.put("cdi", List.of("docker.io/library/busybox"));
        plugins.put("curl", List.of("url=file://" + img));
        plugins.put("data", List.of("data=1 2 3", "size=1M"));
        plugins.put("eval", List.of("get_size=echo 1M", "pread=dd if=/dev/zero count=$3 iflag=count_bytes status=none"));
        plugins.put("file", List.of("file=" + img));
        plugins.put("floppy", List.of("dir=" + tree));
        plugins.put("full", List.of("size=1M"));
        plugins.put("info", List.of("mode=time"));
        plugins.put("iso", List.of("dir=" + tree));
        plugins.put("linuxdisk", List.of("dir=" + tree));
        plugins.put("memory", List.of("size=1M"));
        plugins.put("nbd", List.of("socket=@PEER@"));
        plugins.put("null", List.of("size=1M"));
        plugins.put("ondemand", List.of("dir=" + ondemand, "size=16M"));
        plugins.put("partitioning", List.of("file=" + img));
        plugins.put("pattern", List.of("size=1M"));
        plugins.put("random", List.of("size=1M"));
        plugins.put("sh", List.of("script=" + sh));
        plugins.put("sparse-random", List.of("size=1M"));
        plugins.put("split", List.of("file=" + img, "file=" + img2));
        plugins.put("ssh", List.of("host=localhost", "path=/tmp/disk.img"));
        plugins.put("tmpdisk", List.of("size=16M"));
        plugins.put("torrent", List.of("/nonexistent.torrent"));
        plugins.put("zero", List.of());
        try (RealNbdkit peerForNbd = RealNbdkit.start("memory", List.of("size=1M"))) {
            for (var e : plugins.entrySet()) {
                List<String> a = new ArrayList<>();
                for (String s : e.getValue()) {
                    a.add(s.replace("@PEER@", peerForNbd.socket.toString()));
                }
                System.out.println("| " + e.getKey() + " | " + survey(e.getKey(), a) + " |");
            }
        }
    }

    private static String survey(String name, List<String> args) {
        Recorder rec = new Recorder();
        String ours;
        String sha = null;
        long size = -1;
        try (NbdkitPlugin p = NbdkitPlugin.start(name, args, rec); PluginConnection c = p.open(false)) {
            size = c.size();
            sha = Maps.sha256(c);
            ours = "yes | yes (" + size + " bytes, " + (c.capabilities().write() ? "rw" : "ro") + ")";
        } catch (Throwable t) {
            return "no | | " + t.getMessage().replace("|", "\\|").replace("\n", " ");
        }
        try (RealNbdkit peer = RealNbdkit.start(name, args)) {
            boolean same = peer.size() == size && peer.sha256().equals(sha);
            return ours + " | " + (same ? "size and content match nbdkit" : peer.size() == size ? "size matches nbdkit, content differs" : "DIFFERS from nbdkit");
        } catch (Throwable t) {
            return ours + " | nbdkit: " + t.getMessage().replace("|", "\\|").replace("\n", " ");
        }
    }
}
