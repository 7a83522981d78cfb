package dev.jdm.bench;

import dev.jdm.host.Host;
import dev.jdm.symvers.AbiModel;
import dev.jdm.symvers.JarContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * insmod to live, warm, for a module importing up to 200 ABI symbols: format, generation, bytecode
 * rescan, fingerprint checks, class loading and init. Target: median at most 20 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InsmodBench {
    @Param("200")
    int imports;

    private Host host;
    private JarContents module;
    private Path dir;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("jdm-bench");
        host = Host.start(new Host.Options(null, dir.resolve("gate.sock"), dir.resolve("state"), Files.createDirectories(dir.resolve("none")), null));
        module = WideModule.build("wide", imports, AbiModel.fromClassPath());
        System.out.println("\nmodule imports " + WideModule.imports(module) + " ABI symbols");
    }

    @TearDown(Level.Invocation)
    public void unload() {
        host.modules().unload("wide", false, false);
    }

    @TearDown(Level.Trial)
    public void stop() {
        host.close();
    }

    @Benchmark
    public Object insmod() {
        return host.modules().load(module, "wide.jar", Map.of(), false);
    }
}
